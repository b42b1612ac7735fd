/**
 * The Leak aggregate: findings become leaks, decisions (status, virtual patch), history, read models.
 * The module is mounted by the `leak-lifecycle` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';
import { AttemptsConsumer } from './application/attempts.consumer';
import { DecideOnLeaksHandler } from './application/decide-on-leaks';
import { FindingsConsumer } from './application/findings.consumer';
import { LeakIntegrationEvents } from './application/leak-integration-events';
import { LeaksProjectionRunner } from './application/leaks-projection-runner';
import { AuditEventsController } from './http/audit-events.controller';
import { LeakExportController } from './http/leak-export.controller';
import { LeaksController } from './http/leaks.controller';
import { AuditEventsQuery } from './read-model/audit-events-query';
import { LeakExportQuery } from './read-model/leak-export-query';
import { LeakQueries } from './read-model/leak-queries';

@Module({
  controllers: [LeakExportController, AuditEventsController, LeaksController], // export before :leakid
  providers: [LeakExportQuery, AuditEventsQuery, LeakIntegrationEvents, LeaksProjectionRunner, LeakQueries, DecideOnLeaksHandler, FindingsConsumer, AttemptsConsumer],
})
export class LeakLifecycleModule {}
