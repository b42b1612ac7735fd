import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { API_KEY_EXAMPLE, API_KEY_PAGE_SCHEMA, API_KEY_SCHEMA, API_KEY_WITH_SECRET_SCHEMA } from './dto/access.openapi';
import { Caller, isGlobalRole } from '@leakwatch/authz';
import { CurrentCaller, Roles } from '@leakwatch/auth';
import { ApiProblems, LINK_HEADER, PaginatedList, ProblemException } from '@leakwatch/runtime';
import { IssueApiKeyCommand, RevokeApiKeyCommand, RotateApiKeyCommand } from '../application/api-key.commands';
import { AccessQueries } from '../read-model/access-queries';
import { IssueApiKeyDto, KeyIdParams, OrgListQueryDto } from './dto/access.dto';
import { pageOrRefusal } from './page-or-refusal';
import { answerOrProblem } from './refusal-problems';

@ApiTags('access control')
@ApiSecurity('api-key')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly commands: CommandBus, private readonly queries: AccessQueries) {}

  @Post()
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Issue an API key; the key is shown in this answer only' })
  @ApiCreatedResponse({ description: 'The key’s record and the key itself (shown once)', schema: API_KEY_WITH_SECRET_SCHEMA, example: { ...API_KEY_EXAMPLE, key: 'lw_SsIJ02dPTmnP09ehgslDSnR5GyQMPw_CoRPSTxy0sak' } })
  @ApiProblems(403, 404, 409)
  async issue(@CurrentCaller() caller: Caller, @Body() body: IssueApiKeyDto) {
    return answerOrProblem(await this.commands.execute(new IssueApiKeyCommand(caller, body)));
  }

  @Get()
  @PaginatedList()
  @ApiOkResponse({ schema: API_KEY_PAGE_SCHEMA, headers: LINK_HEADER, example: { items: [API_KEY_EXAMPLE], next_cursor: null } })
  @ApiProblems(403)
  @ApiOperation({ summary: 'API keys of the caller’s organisation (all, or ?org_id=, for global roles), oldest first, in pages; never the keys themselves' })
  async list(@CurrentCaller() caller: Caller, @Query() query: OrgListQueryDto) {
    const global = isGlobalRole(caller.role);
    if (!global && query.org_id && query.org_id !== caller.orgId) {
      throw new ProblemException(403, 'foreign-organization', 'Forbidden', 'A key lists its own organisation only.');
    }
    return pageOrRefusal(() => this.queries.listKeys(global ? query.org_id : (caller.orgId ?? null), query));
  }

  @Delete(':id')
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Revoke an API key (at once, for good)' })
  @ApiParam({ name: 'id', description: 'The key’s id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ description: 'The revoked key’s record', schema: API_KEY_SCHEMA, example: { ...API_KEY_EXAMPLE, revoked_at: '2026-11-26T10:00:00.000Z', status: 'revoked' } })
  @ApiProblems(403, 404, 409)
  async revoke(@CurrentCaller() caller: Caller, @Param() params: KeyIdParams) {
    return answerOrProblem(await this.commands.execute(new RevokeApiKeyCommand(caller, params.id)));
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Replace the key’s secret (same id, role and limits); the old secret stops working' })
  @ApiParam({ name: 'id', description: 'The key’s id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ description: 'The key’s record and its new secret (shown once)', schema: API_KEY_WITH_SECRET_SCHEMA })
  @ApiProblems(403, 404, 409)
  async rotate(@CurrentCaller() caller: Caller, @Param() params: KeyIdParams) {
    return answerOrProblem(await this.commands.execute(new RotateApiKeyCommand(caller, params.id)));
  }
}
