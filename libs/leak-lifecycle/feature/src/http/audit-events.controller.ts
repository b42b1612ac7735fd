/**
 * `GET /api/v1/audit/events?from=&to=&type=`: the organisation-wide audit log as NDJSON, one leak event per line
 * (leakid, revision, type, time, recorded_at, actor, data), in recording order, streamed page by page and scoped
 * to the leaks the caller may see.
 */
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
import { ProblemException } from '@leakwatch/runtime';
import { AuditEventsQuery } from '../read-model/audit-events-query';
import { AuditEventsQueryDto } from './dto/leak-export.dto';
import { ndjsonLine } from './leak-export.format';
import { streamLines } from './stream-response';

@ApiTags('audit')
@ApiSecurity('api-key')
@Controller('api/v1/audit')
export class AuditEventsController {
  constructor(private readonly audit: AuditEventsQuery) {}

  @Get('events')
  @ApiOperation({ summary: 'Audit log: every event of the leaks visible to the caller, in recording order (NDJSON, streamed)' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'One JSON event per line: leakid, revision, type, time, recorded_at, actor, data',
    content: { 'application/x-ndjson': { schema: { type: 'string', description: 'NDJSON: one event per line (leakid, revision, type, time, recorded_at, actor, data)' } } },
  })
  async events(@CurrentCaller() caller: Caller, @Query() query: AuditEventsQueryDto, @Res() res: Response): Promise<void> {
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from >= to) {
      throw new ProblemException(400, 'invalid-time-range', 'Invalid request', 'from must be before to', { errors: [{ field: 'from', message: 'must be before to' }] });
    }
    const pages = this.audit.pages(caller, { from, to, type: query.type });
    await streamLines(res, 'application/x-ndjson; charset=utf-8', (async function* () {
      for await (const page of pages) yield page.map(ndjsonLine).join('');
    })());
  }
}
