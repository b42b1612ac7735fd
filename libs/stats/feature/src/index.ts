export * from './stats.module';
export * from './stats-schema';
export { API_USAGE_TABLES, apiUsageReadModel } from './usage/api-usage.read-model';
export { LEAK_STATS_TABLES } from './leaks/leak-stats.read-model';
export { LEAK_DECISIONS_TABLES } from './reports/leak-decisions.read-model';
export { leakStatsReadModel } from './leaks/leak-stats.topic';
// The live consumers of the stats read models (wired by StatsModule; exported for the CLI's rebuild-equality spec).
export { LeakStatsConsumer } from './leaks/leak-stats.consumer';
export { LeakStatsReadModel } from './leaks/leak-stats.read-model';
export { LeakDecisionsConsumer } from './reports/leak-decisions.consumer';
export { LeakDecisionsReadModel } from './reports/leak-decisions.read-model';
export { ApiUsageConsumer } from './usage/api-usage.consumer';
export { ApiUsageReadModel } from './usage/api-usage.read-model';
