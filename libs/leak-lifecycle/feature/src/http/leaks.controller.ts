import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { Inject } from '@nestjs/common';
import { LEAK_ID_PATTERN_SOURCE } from '@leakwatch/contracts';
import { historyData } from '../read-model/history-data';
import { leakStream } from '@leakwatch/leak-lifecycle/domain';
import { ApiProblems, LINK_HEADER, ProblemException, nextPageLink } from '@leakwatch/runtime';
import { LEAK_EXAMPLE, LEAK_HISTORY_SCHEMA, LEAK_OR_AS_OF_SCHEMA, LEAK_PAGE_SCHEMA, STATUS_DECISION_SCHEMA, VIRTUAL_PATCH_DECISION_SCHEMA } from './dto/leak.openapi';
import { DecideOnLeaksCommand } from '../application/decide-on-leaks';
import { decisionOrProblem } from './decision-problems';
import { LeakAsOfView, leakAsOf } from '../read-model/leak-as-of';
import { InvalidCursorError, LeakListPage, LeakQueries, LeakView } from '../read-model/leak-queries';
import { AsOfQueryDto, LeakIdParams, LeakListQueryDto, LeakStatusDto, VirtualPatchDto, dateRangeErrors, selectedIds } from './dto/leak-decision.dto';

@ApiTags('leaks')
@ApiSecurity('api-key')
@Controller('api/v1/leaks')
export class LeaksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: LeakQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post('status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the status of one leak (leakid) or up to 1000 (leakids): open, fixed, false_positive' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag of GET /api/v1/leaks/{leakid} (single leakid only): decide only if the leak is still at that revision', schema: { type: 'string', examples: ['"3"'] } })
  @ApiBody({ type: LeakStatusDto, examples: { one: { value: { leakid: LEAK_EXAMPLE.leakid, status: 'fixed', comment: 'rotated' } }, many: { value: { leakids: [LEAK_EXAMPLE.leakid], status: 'false_positive' } } } })
  @ApiOkResponse({ schema: STATUS_DECISION_SCHEMA, example: { results: [{ leakid: LEAK_EXAMPLE.leakid, status: 'fixed', previous_status: 'open', changed: true }], updated: 1, unchanged: 0 } })
  @ApiProblems(403, 404, 409, 412)
  async status(@CurrentCaller() caller: Caller, @Body() body: LeakStatusDto, @Req() req: Request) {
    const selected = ids(body);
    return decisionOrProblem(
      await this.commands.execute(new DecideOnLeaksCommand(caller, selected, { kind: 'status', status: body.status, comment: body.comment }, requestId(req), ifMatch(req, body))),
    );
  }

  @Post('virtual-patch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Turn the virtual patch (gateway blocking) of open leaks on or off' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag of GET /api/v1/leaks/{leakid} (single leakid only)', schema: { type: 'string', examples: ['"3"'] } })
  @ApiBody({ type: VirtualPatchDto, examples: { on: { value: { leakid: LEAK_EXAMPLE.leakid, enabled: true } } } })
  @ApiOkResponse({ schema: VIRTUAL_PATCH_DECISION_SCHEMA, example: { results: [{ leakid: LEAK_EXAMPLE.leakid, virtual_patch: true, previous_virtual_patch: false, changed: true }], updated: 1, unchanged: 0 } })
  @ApiProblems(403, 404, 409, 412)
  async virtualPatch(@CurrentCaller() caller: Caller, @Body() body: VirtualPatchDto, @Req() req: Request) {
    const selected = ids(body);
    return decisionOrProblem(await this.commands.execute(new DecideOnLeaksCommand(caller, selected, { kind: 'virtual_patch', enabled: body.enabled }, requestId(req), ifMatch(req, body))));
  }

  @Get()
  @ApiOkResponse({ schema: LEAK_PAGE_SCHEMA, headers: LINK_HEADER, example: { items: [LEAK_EXAMPLE], next_cursor: null, total: 1, summary: { personal: 0, employee: 0, customer: 0, organization: 1 } } })
  @ApiOperation({ summary: 'Leaks visible to the caller, filtered (also by first-seen and fixed time ranges), newest first (or by ?sort=&direction=), with a per-type summary; `Link: <…>; rel="next"` while more pages follow' })
  async list(@CurrentCaller() caller: Caller, @Query() query: LeakListQueryDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Buffer> {
    const errors = dateRangeErrors(query);
    if (errors.length) throw new ProblemException(400, 'validation-failed', 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
    let page: LeakListPage;
    try {
      page = await this.queries.list(caller, { ...query, limit: query.limit ?? 50 });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ProblemException(400, 'invalid-cursor', 'Invalid request', error.message, { errors: [{ field: 'cursor', message: error.message }] });
      }
      throw error;
    }
    // The page comes as encoded JSON (see LeakQueries.list), so the Link header PaginatedList would add is set here.
    if (page.nextCursor) res.header('Link', nextPageLink(req.originalUrl, page.nextCursor));
    res.header('Content-Type', 'application/json; charset=utf-8');
    res.header('ETag', page.etag); // the ETag the API would compute from the body, computed once per page
    return page.body;
  }

  @Get(':leakid')
  @ApiOperation({ summary: 'One leak; with ?as_of= the leak as it was at that moment, rebuilt from its events' })
  @ApiParam({ name: 'leakid', schema: { type: 'string', pattern: LEAK_ID_PATTERN_SOURCE }, example: LEAK_EXAMPLE.leakid })
  @ApiOkResponse({ schema: LEAK_OR_AS_OF_SCHEMA, headers: { ETag: { description: 'The leak’s stream revision (without ?as_of=); send it as If-Match', schema: { type: 'string' } } }, example: LEAK_EXAMPLE })
  @ApiProblems(404)
  async get(
    @CurrentCaller() caller: Caller,
    @Param() params: LeakIdParams,
    @Query() query: AsOfQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LeakView | (LeakAsOfView & Pick<LeakView, 'type'>)> {
    const current = await this.visible(caller, params.leakid);
    // The stream revision as ETag: send it back as If-Match to make a decision conditional.
    if (!query.as_of) {
      res.header('ETag', `"${current.revision}"`);
      return current;
    }
    const asOf = new Date(query.as_of).toISOString();
    const events = await this.store.readStream(leakStream(params.leakid));
    // Every field from the events up to that moment; only `type` (what the leak is for this caller) is today's.
    const past = leakAsOf(events.map((e) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data, revision: e.revision, time: eventTime(e) })), asOf);
    if (!past) throw new ProblemException(404, 'leak-not-found', 'Not found', `Leak ${params.leakid} did not exist yet at ${asOf}.`);
    return { ...past, type: current.type };
  }

  @Get(':leakid/history')
  @ApiOperation({ summary: 'Every event of the leak, oldest first: revision, type, time, actor, data' })
  @ApiParam({ name: 'leakid', schema: { type: 'string', pattern: LEAK_ID_PATTERN_SOURCE }, example: LEAK_EXAMPLE.leakid })
  @ApiOkResponse({ schema: LEAK_HISTORY_SCHEMA })
  @ApiProblems(404)
  async history(@CurrentCaller() caller: Caller, @Param() params: LeakIdParams) {
    await this.visible(caller, params.leakid);
    const events = await this.store.readStream(leakStream(params.leakid));
    return {
      leakid: params.leakid,
      // Old LeakDetected events still hold a password's plain hash: history shows them upcast (issue 15.4).
      events: events.map((e) => ({ revision: e.revision, type: e.type, time: eventTime(e), recorded_at: e.recordedAt.toISOString(), actor: e.metadata.actor ?? null, data: historyData(e) })),
    };
  }

  private async visible(caller: Caller, leakid: string): Promise<LeakView> {
    const leak = await this.queries.findVisible(caller, leakid);
    // A leak the caller may not see answers exactly like one that does not exist.
    if (!leak) throw new ProblemException(404, 'leak-not-found', 'Not found', `No leak ${leakid} visible to you.`);
    return leak;
  }
}

function ids(body: LeakStatusDto | VirtualPatchDto): string[] {
  const selection = selectedIds(body);
  if ('errors' in selection) {
    throw new ProblemException(400, 'invalid-leak-ids', 'Invalid request', selection.errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors: selection.errors });
  }
  return selection.ids;
}

/** `If-Match: "<revision>"` — only for a single leak. */
function ifMatch(req: Request, body: { leakids?: string[] }): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(String(header));
  if (!match) throw new ProblemException(400, 'invalid-if-match', 'Invalid request', 'If-Match must be the ETag of GET /api/v1/leaks/{leakid}, e.g. "3".');
  if (body.leakids !== undefined) throw new ProblemException(400, 'invalid-if-match', 'Invalid request', 'If-Match applies to a single leakid, not to leakids.');
  return Number(match[1]);
}

function requestId(req: Request): string | undefined {
  return typeof (req as Request & { id?: unknown }).id === 'string' ? ((req as Request & { id: string }).id) : undefined;
}

function eventTime(e: { metadata: { occurred_at?: string }; recordedAt: Date }): string {
  return e.metadata.occurred_at ?? e.recordedAt.toISOString();
}

