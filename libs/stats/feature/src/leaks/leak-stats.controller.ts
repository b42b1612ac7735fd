/**
 * `GET /api/v1/stats/leaks` — chart data for the caller's leaks (authenticated; counts against the key's limit).
 */
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { LEAK_STATS_SCHEMA } from '../stats.openapi';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
import { STATS_CLOCK, StatsClock } from '../stats-clock';
import { LeakStats, LeakStatsQueries } from './leak-stats.queries';

export class LeakStatsQueryDto {
  /** Length of the per-day window ending today (UTC), 1..365; default 30. */
  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30, description: 'Length of the per-day window ending today (UTC)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  days?: number;
}

@ApiTags('stats')
@ApiSecurity('api-key')
@Controller('api/v1/stats')
export class LeakStatsController {
  constructor(
    private readonly queries: LeakStatsQueries,
    @Inject(STATS_CLOCK) private readonly clock: StatsClock,
  ) {}

  @Get('leaks')
  @ApiOperation({ summary: 'Leak statistics visible to the caller: by status, risk, source, type; opened/fixed/attempts per day; mean time to fix' })
  @ApiOkResponse({ schema: LEAK_STATS_SCHEMA })
  leaks(@CurrentCaller() caller: Caller, @Query() query: LeakStatsQueryDto): Promise<LeakStats> {
    return this.queries.stats(caller, query.days ?? 30, this.clock());
  }
}
