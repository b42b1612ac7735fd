/**
 * `GET /api/v1/stats/attempts` — attempts to use leaked tokens across the caller's visible leaks
 * (the console's "Attempts" page), newest first.
 */
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ATTEMPT_LIST_SCHEMA } from '../stats.openapi';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
import { CLOCK, Clock, ProblemException } from '@leakwatch/runtime';
import { AttemptList, LeakAttemptsQueries } from './leak-attempts.queries';
import { LEAK_ID_PATTERN, RISKS } from '@leakwatch/contracts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class LeakAttemptsQueryDto {
  @ApiPropertyOptional({ description: 'First UTC day (YYYY-MM-DD); default 29 days before `to`' })
  @IsOptional() @Matches(DAY, { message: 'from must be a day, YYYY-MM-DD' }) @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Last UTC day (YYYY-MM-DD), inclusive; default today' })
  @IsOptional() @Matches(DAY, { message: 'to must be a day, YYYY-MM-DD' }) @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: RISKS })
  @IsOptional() @IsIn(RISKS)
  risk?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(200)
  source?: string;

  @ApiPropertyOptional()
  @IsOptional() @Matches(LEAK_ID_PATTERN, { message: 'leakid must be a 32-character lowercase hex leak id' })
  leakid?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

@ApiTags('stats')
@ApiSecurity('api-key')
@Controller('api/v1/stats')
export class LeakAttemptsController {
  constructor(
    private readonly queries: LeakAttemptsQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('attempts')
  @ApiOperation({ summary: 'Attempts to use leaked tokens, for the leaks the caller may see: newest first, by day range, risk, source, leak' })
  @ApiOkResponse({ schema: ATTEMPT_LIST_SCHEMA })
  attempts(@CurrentCaller() caller: Caller, @Query() query: LeakAttemptsQueryDto): Promise<AttemptList> {
    const to = query.to ?? this.clock().toISOString().slice(0, 10);
    const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    if (from > to) {
      throw new ProblemException(400, 'validation-failed', 'Invalid request', 'from must not be after to.', { errors: [{ field: 'from', message: 'must not be after to' }] });
    }
    return this.queries.list(caller, { from, to, risk: query.risk, source: query.source, leakid: query.leakid, limit: query.limit ?? 100 });
  }
}
