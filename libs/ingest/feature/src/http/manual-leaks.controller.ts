import { Body, Controller, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MANUAL_LEAKS_RESULT_SCHEMA } from './dto/ingest.openapi';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller, Roles } from '@leakwatch/auth';
import { ApiProblems, ProblemException } from '@leakwatch/runtime';
import { FindingIntake } from '../application/finding-intake';
import { detectTokenType, normaliseSecretType, riskFor } from '@leakwatch/ingest/domain';
import { ManualLeaksDto } from './dto/manual-leaks.dto';

@ApiTags('ingest')
@ApiSecurity('api-key')
@Controller('api/v1/leaks')
export class ManualLeaksController {
  constructor(private readonly intake: FindingIntake) {}

  @Post()
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Add leaked tokens and/or credentials by hand; one leak per secret, re-adding is a duplicate' })
  @ApiBody({ type: ManualLeaksDto, examples: { token: { value: { source: { name: 'pastebin', url: 'https://pastebin.com/abc' }, tokens: [{ value: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' }] } } } })
  @ApiCreatedResponse({ description: 'The leaks of the given secrets', schema: MANUAL_LEAKS_RESULT_SCHEMA, example: { leakids: ['b3652f2555841f7652badd9804859f4e'], created: 1, duplicates: 0 } })
  @ApiProblems(403)
  async add(@CurrentCaller() caller: Caller, @Body() body: ManualLeaksDto) {
    const tokens = body.tokens ?? [];
    const credentials = body.credentials ?? [];
    if (tokens.length + credentials.length === 0) {
      throw new ProblemException(400, 'no-secrets', 'Invalid request', 'Give at least one entry in tokens or credentials.', {
        errors: [{ field: 'tokens', message: 'tokens or credentials must not be empty' }],
      });
    }
    const missingIdentity = credentials.findIndex((c) => !c.email && !c.username);
    if (missingIdentity >= 0) {
      throw new ProblemException(400, 'validation-failed', 'Invalid request', 'A credential needs an email or a username.', {
        errors: [{ field: `credentials[${missingIdentity}]`, message: 'email or username is required' }],
      });
    }
    const source = { name: body.source.name, url: body.source.url ?? null };
    // Same risk rules as scanner reports; a leak someone found at a URL is publicly exposed.
    const exposure = body.source.url ? ('public' as const) : ('unknown' as const);
    const risk = (kind: 'token' | 'credential', secretType: string) => body.risk ?? riskFor({ secretType, kind, verified: null, exposure });
    const { leakids, created, duplicates } = await this.intake.accept(caller, [
      ...tokens.map((t) => {
        const secretType = t.type ? normaliseSecretType(t.type) : detectTokenType(t.value);
        return { kind: 'token' as const, secret: t.value, secretType, source, risk: risk('token', secretType) };
      }),
      ...credentials.map((c) => ({
        kind: 'credential' as const,
        secret: c.password,
        secretType: 'password',
        identity: { email: c.email ?? null, username: c.username ?? null },
        site: c.url ? { url: c.url } : null,
        source,
        risk: risk('credential', 'password'),
      })),
    ]);
    return { leakids, created, duplicates };
  }
}
