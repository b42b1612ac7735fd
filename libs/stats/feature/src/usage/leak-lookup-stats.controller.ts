/**
 * `POST /api/stats` — Leak-Lookup's stats API, compatible to the byte (see leak-lookup-format.ts).
 *
 * - Public route: the key travels in the body (`key`, form or JSON), not in a header, so the API-key guard
 *   does not run and the call does NOT count against the key's daily limit (as at Leak-Lookup).
 * - Every answer is HTTP 200 with `application/json`, errors included, like Leak-Lookup: its clients read the
 *   `error` field ("true"/"false"), not the status. Never problem+json.
 * - Revoked and expired keys get the standard answer with `status`/`type` "inactive"; only a key that does
 *   not exist is INVALID API KEY.
 * - The key is never logged; it is hashed and looked up like any presented key.
 * - Parameters as Leak-Lookup clients send them (leak-lookup-request.ts): form, JSON, a body without a
 *   content type, multipart/form-data; and `GET /api/stats?key=…`, answered the same way (a URL ends up in
 *   proxy logs, so POST is the documented form; Leakwatch itself never logs or echoes a query string).
 */
import { Controller, Get, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtension, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { LEAK_LOOKUP_STATS_EXAMPLE, LEAK_LOOKUP_STATS_SCHEMA } from '../stats.openapi';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { ClientErrorAnswer, CLOCK, Clock } from '@leakwatch/runtime';
import { AccessDirectory, Public, hashApiKey } from '@leakwatch/auth';
import { ApiUsageReadModel } from './api-usage.read-model';
import { LeakLookupExceptionFilter } from './leak-lookup-exception.filter';
import { LEAK_LOOKUP_ERRORS, errorBody, keyStats, readStatsRequest, successBody } from './leak-lookup-format';
import { leakLookupParameters } from './leak-lookup-request';

/** A body that cannot be read (malformed, too large), or a refused URL, answers as Leak-Lookup does. */
const UNREADABLE = ClientErrorAnswer({ status: 200, contentType: 'application/json', body: errorBody(LEAK_LOOKUP_ERRORS.missingParameters) });

@ApiTags('stats')
@Public()
@Controller('api')
@UseFilters(LeakLookupExceptionFilter)
export class LeakLookupStatsController {
  constructor(
    private readonly directory: AccessDirectory,
    private readonly usage: ApiUsageReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('stats')
  @HttpCode(200)
  @ApiOperation({ summary: 'Leak-Lookup compatible: status, type, dates, today\'s requests and the daily limit of the API key in `key`' })
  @UNREADABLE
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json', 'multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] } })
  @ApiExtension('x-leak-lookup-compatible', true)
  @ApiOkResponse({
    description: 'Always 200; `error` is "true" with a message (MISSING API KEY, EMPTY VALUE DETECTED, INVALID API KEY, MISSING REQUIRED PARAMETERS) or "false" with the stats',
    schema: LEAK_LOOKUP_STATS_SCHEMA,
    example: LEAK_LOOKUP_STATS_EXAMPLE,
  })
  async stats(@Req() req: Request, @Res() res: Response): Promise<void> {
    const body = await this.answer(await leakLookupParameters(req));
    res.status(200).type('application/json').send(body);
  }

  @Get('stats')
  @UNREADABLE
  @ApiOperation({ summary: 'The same as POST /api/stats with `key` in the query string (some Leak-Lookup clients send it so; prefer POST)' })
  @ApiQuery({ name: 'key', required: true, schema: { type: 'string' } })
  @ApiExtension('x-leak-lookup-compatible', true)
  @ApiOkResponse({ description: 'Always 200, in the Leak-Lookup format of POST /api/stats', schema: LEAK_LOOKUP_STATS_SCHEMA, example: { error: 'true', message: 'INVALID API KEY' } })
  async statsByQuery(@Req() req: Request, @Res() res: Response): Promise<void> {
    const body = await this.answer(req.query);
    res.status(200).type('application/json').send(body);
  }

  private async answer(body: unknown): Promise<string> {
    const request = readStatsRequest(body);
    if (request.kind === 'error') return errorBody(request.message);
    // Memory, else the persisted directory: a key issued a moment ago is found, an unknown one refused at once.
    const key = await this.directory.resolve(hashApiKey(request.key));
    if (!key) return errorBody(LEAK_LOOKUP_ERRORS.invalidKey);
    const now = this.clock();
    const requests = await this.usage.requestsOn(key.keyId, now.toISOString().slice(0, 10));
    return successBody(keyStats(key, requests, now));
  }
}
