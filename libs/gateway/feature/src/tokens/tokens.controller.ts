import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { createHash } from 'node:crypto';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';
import { ProblemException } from '@leakwatch/runtime';
import { AttemptRecorder } from './attempt-recorder';
import { TokenCheckDto } from './dto/token-check.dto';
import { TokenIndex } from './token-index';

class BlocklistQueryDto {
  @ApiPropertyOptional({ description: 'Last `seq` seen (0 = from the beginning)' })
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(0)
  cursor?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 5000, default: 1000 })
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(5000)
  limit?: number;
}

@ApiTags('gateway')
@ApiSecurity('api-key')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly index: TokenIndex, private readonly attempts: AttemptRecorder) {}

  @Post('check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Is this token leaked, and blocked (active virtual patch)? Blocked uses are recorded.' })
  check(@CurrentCaller() caller: Caller, @Body() body: TokenCheckDto) {
    if ((body.token === undefined) === (body.sha256 === undefined)) {
      throw new ProblemException(400, 'validation-failed', 'Invalid request', 'Give exactly one of token or sha256.', {
        errors: [{ field: 'token', message: 'exactly one of token or sha256 is required' }],
      });
    }
    const fingerprint = body.sha256 ?? createHash('sha256').update(body.token as string, 'utf8').digest('hex');
    const entry = this.index.lookup(fingerprint);
    if (!entry) return { leaked: false, blocked: false };
    if (entry.blocked) this.attempts.record({ leakid: entry.leakid, attempted_at: new Date().toISOString(), key_id: caller.keyId, blocked: true });
    return { leaked: true, blocked: entry.blocked, leakid: entry.leakid };
  }

  @Get('blocklist')
  @ApiOperation({ summary: 'Changes to the set of blocked fingerprints after `cursor`, for gateways that keep it locally' })
  async blocklist(@Query() query: BlocklistQueryDto) {
    const cursor = query.cursor ?? 0;
    const changes = await this.index.changesAfter(cursor, query.limit ?? 1000);
    return { changes, next_cursor: changes.length ? changes[changes.length - 1].seq : cursor };
  }
}
