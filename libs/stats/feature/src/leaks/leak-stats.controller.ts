/**
 * `GET /api/v1/stats/leaks` — chart data for the caller's leaks (authenticated; counts against the key's limit).
 */
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { LEAK_STATS_SCHEMA } from '../stats.openapi';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { CLOCK, Clock, IsIsoDateTime } from '@leakwatch/runtime';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
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

  /** A past moment: the statistics as they were then (the window ends that day), rebuilt from the events. */
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-25T10:00:00Z',
    description: 'ISO 8601 time (with a zone, or a date), not in the future: the statistics as they were at that moment, rebuilt from the events; the per-day window ends that day',
  })
  @IsOptional()
  @IsIsoDateTime()
  @ValidateBy({ name: 'isNotInFuture', validator: { validate: (value) => typeof value !== 'string' || !(Date.parse(value) > Date.now()), defaultMessage: () => 'as_of must not be in the future' } })
  as_of?: string;
}

@ApiTags('stats')
@ApiSecurity('api-key')
@Controller('api/v1/stats')
export class LeakStatsController {
  constructor(
    private readonly queries: LeakStatsQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('leaks')
  @ApiOperation({ summary: 'Leak statistics visible to the caller: by status, risk, source, type; opened/fixed/attempts per day; mean time to fix' })
  @ApiOkResponse({ schema: LEAK_STATS_SCHEMA })
  leaks(@CurrentCaller() caller: Caller, @Query() query: LeakStatsQueryDto): Promise<LeakStats> {
    return this.queries.stats(caller, query.days ?? 30, this.clock(), query.as_of ? new Date(query.as_of) : undefined);
  }
}
