/**
 * API-key usage and limits (Leak-Lookup compatible /api/stats) and leak statistics, each from the stats
 * context's own read models (`st_*`), fed by integration events: `ApiUsageRecorded` from the gateway,
 * every leak event from leak-lifecycle. It reads no other context's tables, so it runs alone (distributed
 * mode) exactly as in the embedded process.
 * The module is mounted by the `stats` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@leakwatch/runtime';
import { LeakAttemptsController } from './leaks/leak-attempts.controller';
import { LeakAttemptsQueries } from './leaks/leak-attempts.queries';
import { LeakStatsConsumer } from './leaks/leak-stats.consumer';
import { LeakStatsController } from './leaks/leak-stats.controller';
import { LeakStatsQueries } from './leaks/leak-stats.queries';
import { LeakStatsReadModel } from './leaks/leak-stats.read-model';
import { LeakVersionsConsumer } from './leaks/leak-versions.consumer';
import { LeakDecisionsConsumer } from './reports/leak-decisions.consumer';
import { LeakDecisionsReadModel } from './reports/leak-decisions.read-model';
import { RemediationReportController } from './reports/remediation-report.controller';
import { RemediationReportQueries } from './reports/remediation-report.queries';
import { StatsSchema } from './stats-schema';
import { ApiUsageConsumer } from './usage/api-usage.consumer';
import { ApiUsageReadModel } from './usage/api-usage.read-model';
import { LeakLookupStatsController } from './usage/leak-lookup-stats.controller';

@Module({
  controllers: [LeakLookupStatsController, LeakStatsController, LeakAttemptsController, RemediationReportController],
  providers: [
    StatsSchema,
    { provide: ApiUsageReadModel, inject: [PG_POOL], useFactory: (pool: Pool) => new ApiUsageReadModel(pool) },
    { provide: LeakStatsReadModel, inject: [PG_POOL], useFactory: (pool: Pool) => new LeakStatsReadModel(pool) },
    LeakStatsQueries,
    { provide: LeakDecisionsReadModel, inject: [PG_POOL], useFactory: (pool: Pool) => new LeakDecisionsReadModel(pool) },
    RemediationReportQueries,
    LeakAttemptsQueries,
    ApiUsageConsumer,
    LeakStatsConsumer,
    LeakVersionsConsumer,
    LeakDecisionsConsumer,
  ],
})
export class StatsModule {}
