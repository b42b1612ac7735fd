/**
 * `GET /api/v1/reports/remediation?from=&to=` — what was opened, fixed, marked false positive and reopened in a
 * time window, how fast leaks were fixed, what stayed open too long, and every status change with its actor and
 * comment; scoped exactly like the leak list. JSON by default; CSV with `format=csv` or `Accept: text/csv`;
 * a self-contained HTML page with `format=html` (what `leakwatch report remediation --format html` saves).
 */
import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { FastifyReply as Response } from 'fastify';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
import { CLOCK, Clock, IsIsoDateTime, ProblemException } from '@leakwatch/runtime';
import { RemediationReport, reportWindow } from './remediation-report';
import { remediationCsv } from './remediation-report.csv';
import { remediationHtml } from './remediation-report.html';
import { REMEDIATION_REPORT_SCHEMA } from './remediation-report.openapi';
import { RemediationReportQueries } from './remediation-report.queries';

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export class RemediationReportQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Start of the window (ISO 8601, included); default: 30 days before `to`' })
  @IsOptional() @IsIsoDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'End of the window (ISO 8601, excluded: a date means its midnight UTC); default: now' })
  @IsOptional() @IsIsoDateTime()
  to?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 3650, default: 30, description: 'Count leaks open at the end of the window for longer than this many days' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(3650)
  open_longer_than_days?: number;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, description: 'Default json, or csv when the request accepts text/csv' })
  @IsOptional() @IsIn(REPORT_FORMATS)
  format?: (typeof REPORT_FORMATS)[number];
}

@ApiTags('reports')
@ApiSecurity('api-key')
@Controller('api/v1/reports')
export class RemediationReportController {
  constructor(
    private readonly queries: RemediationReportQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('remediation')
  @ApiOperation({ summary: 'Remediation report for a time window: opened/fixed/false positives/reopened, mean and p90 time to fix, long-open leaks, every decision' })
  @ApiOkResponse({
    description: 'The report: JSON (default), CSV (`format=csv` or `Accept: text/csv`; one table, formula-like cells prefixed with \') or one self-contained HTML page (`format=html`)',
    content: {
      'application/json': { schema: REMEDIATION_REPORT_SCHEMA },
      'text/csv': { schema: { type: 'string' } },
      'text/html': { schema: { type: 'string' } },
    },
  })
  async remediation(
    @CurrentCaller() caller: Caller,
    @Query() query: RemediationReportQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RemediationReport | string> {
    const now = this.clock();
    const window = reportWindow(query, now);
    if ('field' in window) {
      throw new ProblemException(400, 'validation-failed', 'Invalid request', `${window.field}: ${window.message}`, { errors: [window] });
    }
    const { from, to } = window;
    const report = await this.queries.report(caller, { from, to, openLongerThanDays: query.open_longer_than_days ?? 30 });
    const format = query.format ?? (/\btext\/csv\b/i.test(accept ?? '') ? 'csv' : 'json');
    const name = `remediation-${report.window.from.slice(0, 10)}-${report.window.to.slice(0, 10)}`;
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8; header=present').header('Content-Disposition', `attachment; filename="${name}.csv"`);
      return remediationCsv(report);
    }
    if (format === 'html') {
      // The page has no scripts; forbid them anyway, should a value ever slip past the escaping.
      res.type('text/html; charset=utf-8').header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      return remediationHtml(report, now);
    }
    return report;
  }
}
