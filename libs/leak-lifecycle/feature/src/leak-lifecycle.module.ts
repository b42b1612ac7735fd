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
import { LeaksController } from './http/leaks.controller';
import { LeakQueries } from './read-model/leak-queries';

@Module({
  controllers: [LeaksController],
  providers: [LeakIntegrationEvents, LeaksProjectionRunner, LeakQueries, DecideOnLeaksHandler, FindingsConsumer, AttemptsConsumer],
})
export class LeakLifecycleModule {}
