export * from './stats.module';
export * from './stats-schema';
export { API_USAGE_TABLES } from './usage/api-usage.read-model';
export { LEAK_STATS_TABLES } from './leaks/leak-stats.read-model';
export { LEAK_DECISIONS_TABLES } from './reports/leak-decisions.read-model';
export { leakStatsReadModel } from './leaks/leak-stats.topic';
