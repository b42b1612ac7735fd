/**
 * `GET /api/v1/session` — who the presented key is (role, organisation, email), so the console can show it
 * and offer only the actions the role may take. Answered by the gateway, which authenticated the key.
 */
import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller } from '@leakwatch/auth';

const MUTATING_ROLES = new Set(['global_admin', 'admin']);

@ApiTags('gateway')
@ApiSecurity('api-key')
@Controller('api/v1/session')
export class SessionController {
  @Get()
  @ApiOperation({ summary: 'The calling key: id, role, organisation, email, and whether it may change anything' })
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
