/**
 * The gateway hot path and what gateways keep locally. Every answer is scoped to what the caller may see
 * (org keys: their organisation's visible leaks; global keys: all), so no key learns that another
 * organisation's token is leaked. Checks, ranges and attempts are memory lookups; only the blocklist pages
 * read the change log.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiPropertyOptional, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ATTEMPTS_RESULT_SCHEMA, BLOCKLIST_PAGE_SCHEMA, TOKEN_VERDICT_SCHEMA } from './dto/tokens.openapi';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import type { Caller } from '@leakwatch/authz';
import { ApiKeyGuard, CurrentCaller } from '@leakwatch/auth';
import { ProblemException } from '@leakwatch/runtime';
import { AttemptRecorder } from './attempt-recorder';
import { TokenAttemptsDto } from './dto/token-attempts.dto';
import { TokenCheckDto } from './dto/token-check.dto';
import { checkToken } from './token-check';
import { TokenIndex } from './token-index';
import { RANGE_PATTERN, formatRange } from './token-range';
import { judgeFingerprint } from './token-verdict';

/** Longest a blocklist request may wait for a change (long-polling); below common proxy idle timeouts. */
export const MAX_WAIT_SECONDS = 30;

class BlocklistQueryDto {
  @ApiPropertyOptional({ description: 'Last `seq` seen (0 = from the beginning)' })
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  cursor?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 5000, default: 1000 })
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(5000)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0, description: 'Long-poll: when nothing changed after `cursor`, wait up to this many seconds for a change' })
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(0) @Max(MAX_WAIT_SECONDS)
  wait?: number;
}

@ApiTags('gateway')
@ApiSecurity('api-key')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly index: TokenIndex, private readonly attempts: AttemptRecorder, private readonly keys: ApiKeyGuard) {}

  @Post('check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Is this token leaked, and blocked (active virtual patch)? Only leaks the key may see count. Blocked uses are recorded.' })
  @ApiBody({ type: TokenCheckDto, examples: { token: { value: { token: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' } }, sha256: { value: { sha256: 'f0ce46d123c1fe24fe31991f7ec9683a7a36bc643b9859832d4787dec4fa7d30' } } } })
  @ApiOkResponse({ schema: TOKEN_VERDICT_SCHEMA, example: { leaked: true, blocked: true, leakid: 'b3652f2555841f7652badd9804859f4e' } })
  // `unknown`: the global ValidationPipe skips it (class-validator cost more than the whole check); readTokenCheck
  // applies TokenCheckDto's rules with its messages.
  check(@CurrentCaller() caller: Caller, @Body() raw: unknown) {
    return checkToken(this.index, this.attempts, caller, raw);
  }

  @Get('blocklist')
  @ApiOperation({ summary: 'Changes to the set of blocked fingerprints the key may see after `cursor`; `wait` long-polls for the next change' })
  @ApiOkResponse({ schema: BLOCKLIST_PAGE_SCHEMA, example: { changes: [{ seq: 1, sha256: 'f0ce46d123c1fe24fe31991f7ec9683a7a36bc643b9859832d4787dec4fa7d30', leakid: 'b3652f2555841f7652badd9804859f4e', blocked: true, changed_at: '2026-11-25T10:00:00.000Z' }], next_cursor: 1 } })
  async blocklist(@CurrentCaller() caller: Caller, @Query() query: BlocklistQueryDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const cursor = query.cursor ?? 0;
    const limit = query.limit ?? 1000;
    let changes = await this.index.changesAfter(caller, cursor, limit);
    if (changes.length === 0 && query.wait) {
      const deadline = Date.now() + query.wait * 1000;
      const gone = new AbortController();
      // The response closes early only when the client went away: stop waiting for it then.
      res.raw.once('close', () => gone.abort());
      // A change the caller may not see wakes us too: look again until a visible one or the deadline.
      while (changes.length === 0 && !gone.signal.aborted && Date.now() < deadline) {
        if (!(await this.index.nextChange(deadline - Date.now(), gone.signal))) break;
        changes = await this.index.changesAfter(caller, cursor, limit);
      }
      // The key was valid when the request came; it may have been revoked or rotated away while it waited.
      await this.keys.confirm(req.headers);
    }
    // Shutting down: this answer is the connection's last, so the server is not held open by keep-alive.
    if (this.index.shuttingDown) res.header('connection', 'close');
    return { changes, next_cursor: changes.length ? changes[changes.length - 1].seq : cursor };
  }

  @Get('range/:prefix')
  @ApiProduces('text/plain')
  @ApiOperation({
    summary: 'k-anonymity check: fingerprint suffixes (59 hex) of the range `prefix` (first 5 hex of the SHA-256) the key may see, `:B` blocked, `:L` leaked, `:P` padding; ETag/If-None-Match',
  })
  @ApiParam({ name: 'prefix', description: 'The first 5 hex digits of the token’s SHA-256', schema: { type: 'string', pattern: '^[0-9a-fA-F]{5}$' }, example: 'f0ce4' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of an earlier answer: 304 when unchanged', schema: { type: 'string' } })
  @ApiOkResponse({ description: 'One `<59 hex suffix>:<B|L|P>` per line', schema: { type: 'string' }, example: '6d123c1fe24fe31991f7ec9683a7a36bc643b9859832d4787dec4fa7d30:B\n', headers: { ETag: { description: 'Send as If-None-Match', schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag in If-None-Match' })
  range(@CurrentCaller() caller: Caller, @Param('prefix') raw: string, @Req() req: Request, @Res() res: Response): void {
    if (!RANGE_PATTERN.test(raw)) {
      throw new ProblemException(400, 'validation-failed', 'Invalid request', 'The range prefix must be the first 5 hex digits of a SHA-256.', {
        errors: [{ field: 'prefix', message: 'must be 5 hexadecimal characters' }],
      });
    }
    const prefix = raw.toLowerCase();
    const answer = formatRange(prefix, this.index.visibleInRange(caller, prefix));
    // The answer depends on the key: shared caches must not serve it to another key.
    res.header('Cache-Control', 'private, no-cache');
    res.header('Vary', 'X-API-Key, Authorization');
    res.header('ETag', answer.etag);
    const presented = req.headers['if-none-match'];
    if (presented && presented.split(',').some((tag) => tag.trim().replace(/^W\//, '') === answer.etag)) {
      res.status(304).send();
      return;
    }
    res.status(200).type('text/plain; charset=utf-8').send(answer.body);
  }

  @Post('attempts')
  @HttpCode(202)
  @ApiOperation({ summary: 'Batched attempts from a gateway that checks locally: each presented fingerprint of a blocked leak the key may see is recorded' })
  @ApiAcceptedResponse({ schema: ATTEMPTS_RESULT_SCHEMA, example: { recorded: 1, ignored: 0 } })
  reportAttempts(@CurrentCaller() caller: Caller, @Body() body: TokenAttemptsDto) {
    let recorded = 0;
    for (const attempt of body.attempts) {
      const at = attempt.attempted_at === undefined ? NaN : Date.parse(attempt.attempted_at);
      const attemptedAt = Number.isNaN(at) ? undefined : new Date(at).toISOString();
      if (judgeFingerprint(this.index, this.attempts, caller, attempt.sha256, attemptedAt).blocked) recorded++;
    }
    return { recorded, ignored: body.attempts.length - recorded };
  }
}
