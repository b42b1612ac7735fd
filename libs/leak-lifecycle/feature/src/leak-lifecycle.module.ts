/**
 * The Leak aggregate: status decisions, virtual patches, history and read models.
 * The module is mounted by the `leak-lifecycle` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';

@Module({})
export class LeakLifecycleModule {}
