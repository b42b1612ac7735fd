/**
 * API-key usage and limits (Leak-Lookup compatible /api/stats) and leak statistics.
 * The module is mounted by the `stats` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';

@Module({})
export class StatsModule {}
