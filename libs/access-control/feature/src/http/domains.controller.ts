import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DOMAIN_CLAIM_EXAMPLE, DOMAIN_CLAIM_SCHEMA, DOMAIN_PAGE_SCHEMA, DOMAIN_SCHEMA, DOMAIN_VERIFICATION_SCHEMA } from './dto/access.openapi';
import type { FastifyReply as Response } from 'fastify';
import { Caller, isGlobalRole } from '@leakwatch/authz';
import { CurrentCaller, Roles } from '@leakwatch/auth';
import { ClaimDomainCommand, RevokeDomainCommand, VerifyDomainCommand } from '../application/domain.commands';
import { targetOrg } from '../application/target-org';
import { AccessQueries } from '../read-model/access-queries';
import { ClaimDomainDto, OrgListQueryDto, OrgQueryDto } from './dto/access.dto';
import { pageOrRefusal } from './page-or-refusal';
import { answerOrProblem } from './refusal-problems';
import { ApiProblems, LINK_HEADER, PaginatedList } from '@leakwatch/runtime';

@ApiTags('access control')
@ApiSecurity('api-key')
@Controller('api/v1/domains')
export class DomainsController {
  constructor(private readonly commands: CommandBus, private readonly queries: AccessQueries) {}

  @Post()
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Claim a domain: returns the token and where to publish it (DNS TXT or HTTPS file)' })
  @ApiCreatedResponse({ description: 'Claimed now', schema: DOMAIN_CLAIM_SCHEMA, example: DOMAIN_CLAIM_EXAMPLE })
  @ApiOkResponse({ description: 'Claimed before by this organisation and still pending: the same token', schema: DOMAIN_CLAIM_SCHEMA, example: DOMAIN_CLAIM_EXAMPLE })
  @ApiProblems(403, 409)
  async claim(@CurrentCaller() caller: Caller, @Body() body: ClaimDomainDto, @Res({ passthrough: true }) response: Response) {
    const { created, claim } = answerOrProblem(await this.commands.execute(new ClaimDomainCommand(caller, body.domain, body.org_id)));
    response.status(created ? 201 : 200);
    return claim;
  }

  @Post(':domain/verify')
  @HttpCode(200)
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Check the proof now; verified (with expiry) or still pending with the reason' })
  @ApiParam({ name: 'domain', schema: { type: 'string' }, example: 'acme.com' })
  @ApiOkResponse({ schema: DOMAIN_VERIFICATION_SCHEMA, example: { org_id: DOMAIN_CLAIM_EXAMPLE.org_id, domain: 'acme.com', status: 'verified', method: 'dns', expires_at: '2027-11-25T10:00:00.000Z' } })
  @ApiProblems(403, 404, 409)
  async verify(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Query() query: OrgQueryDto) {
    return answerOrProblem(await this.commands.execute(new VerifyDomainCommand(caller, domain, query.org_id)));
  }

  @Get()
  @PaginatedList()
  @ApiOkResponse({ schema: DOMAIN_PAGE_SCHEMA, headers: LINK_HEADER })
  @ApiProblems(403)
  @ApiOperation({ summary: 'Domains of the caller’s organisation (all, or ?org_id=, for global roles), in pages' })
  async list(@CurrentCaller() caller: Caller, @Query() query: OrgListQueryDto) {
    const global = isGlobalRole(caller.role);
    const orgId = global ? query.org_id : answerOrProblem(targetOrg(caller, query.org_id));
    return pageOrRefusal(() => this.queries.listDomains(orgId, query));
  }

  @Delete(':domain')
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Revoke the domain’s verification or claim' })
  @ApiParam({ name: 'domain', schema: { type: 'string' }, example: 'acme.com' })
  @ApiOkResponse({ description: 'The domain’s record, now revoked', schema: DOMAIN_SCHEMA })
  @ApiProblems(403, 404, 409)
  async revoke(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Query() query: OrgQueryDto) {
    return answerOrProblem(await this.commands.execute(new RevokeDomainCommand(caller, domain, query.org_id)));
  }
}
