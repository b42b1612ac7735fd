/**
 * `GET /api/v1/leaks/export?format=csv|ndjson`: every leak `GET /api/v1/leaks` would list for the caller with the
 * same filters, streamed page by page (constant memory). Secrets are not in the read model: nothing to leak here.
 * Registered before LeaksController so `export` is not taken for a `:leakid`.
 */
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
import { LeakExportQuery } from '../read-model/leak-export-query';
import { LeakExportQueryDto } from './dto/leak-export.dto';
import { dateRangeErrors } from './dto/leak-decision.dto';
import { CLOCK, Clock, ProblemException, csvLine } from '@leakwatch/runtime';
import { LEAK_CSV_COLUMNS, leakCsvRow, ndjsonLine } from './leak-export.format';
import { streamLines } from './stream-response';

@ApiTags('leaks')
@ApiSecurity('api-key')
@Controller('api/v1/leaks')
export class LeakExportController {
  constructor(
    private readonly exports: LeakExportQuery,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('export')
  @ApiOperation({ summary: 'Export the leaks visible to the caller (same filters as the list) as CSV or NDJSON, streamed' })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({
    description: 'CSV with a header row (RFC 4180 quoting; formula-like cells prefixed with \'), or NDJSON: one leak (as in the list) per line',
    content: {
      'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV, header row first' }, example: 'leakid,type,status,risk,kind,secret_type,preview,virtual_patch,sources,sightings,attempts,first_seen,last_seen,fixed_at\r\n' },
      'application/x-ndjson': { schema: { type: 'string', description: 'One JSON object per line, each shaped like an item of GET /api/v1/leaks' } },
    },
  })
  async export(@CurrentCaller() caller: Caller, @Query() query: LeakExportQueryDto, @Res() res: Response): Promise<void> {
    const { format = 'csv', ...filters } = query;
    const errors = dateRangeErrors(filters);
    if (errors.length) throw new ProblemException(400, 'validation-failed', 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
    const pages = this.exports.pages(caller, filters);
    const stamp = this.clock().toISOString().replace(/[:.]/g, '-');
    const disposition = { 'Content-Disposition': `attachment; filename="leaks-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"` };
    if (format === 'csv') {
      await streamLines(res, 'text/csv; charset=utf-8; header=present', (async function* () {
        yield csvLine(LEAK_CSV_COLUMNS);
        for await (const page of pages) yield page.map(leakCsvRow).join('');
      })(), disposition);
    } else {
      await streamLines(res, 'application/x-ndjson; charset=utf-8', (async function* () {
        for await (const page of pages) yield page.map(ndjsonLine).join('');
      })(), disposition);
    }
  }
}
