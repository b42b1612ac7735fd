/**
 * `GET /api/v1/session` — who the presented key is (role, organisation, email), so the console can show it
 * and offer only the actions the role may take. Answered by the gateway, which authenticated the key.
 */
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { apiSchema, s } from '@leakwatch/runtime';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';

const MUTATING_ROLES = new Set(['global_admin', 'admin']);

@ApiTags('gateway')
@ApiSecurity('api-key')
@Controller('api/v1/session')
export class SessionController {
  @Get()
  @ApiOperation({ summary: 'The calling key: id, role, organisation, email, and whether it may change anything' })
  @ApiOkResponse({
    schema: apiSchema('Session', s.object({ key_id: s.string(), role: s.string(), org_id: s.nullableString(), user_email: s.nullableString(), can_change: s.boolean(), verified_domains: s.array(s.string()) })),
    example: { key_id: '5494856b-f4f7-4666-9ae1-7d553c7bde8b', role: 'admin', org_id: '71157f19-a659-44d3-98a6-6ebac5901975', user_email: null, can_change: true, verified_domains: ['acme.com'] },
  })
  session(@CurrentCaller() caller: Caller) {
    return {
      key_id: caller.keyId,
      role: caller.role,
      org_id: caller.orgId ?? null,
      user_email: caller.email ?? null,
      can_change: MUTATING_ROLES.has(caller.role),
      verified_domains: caller.verifiedDomains,
    };
  }
}
