import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiProblems, LINK_HEADER, PaginatedList } from '@leakwatch/runtime';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ORGANIZATION_CREATED_SCHEMA, ORGANIZATION_EXAMPLE, ORGANIZATION_PAGE_SCHEMA } from './dto/access.openapi';
import { Caller, isGlobalRole } from '@leakwatch/authz';
import { CurrentCaller, Roles } from '@leakwatch/auth';
import { CreateOrganizationCommand } from '../application/organization.commands';
import { AccessQueries } from '../read-model/access-queries';
import { CreateOrganizationDto, ListPageQueryDto } from './dto/access.dto';
import { pageOrRefusal } from './page-or-refusal';
import { answerOrProblem } from './refusal-problems';

@ApiTags('access control')
@ApiSecurity('api-key')
@Controller('api/v1/orgs')
export class OrganizationsController {
  constructor(private readonly commands: CommandBus, private readonly queries: AccessQueries) {}

  @Post()
  @Roles('global_admin')
  @ApiOperation({ summary: 'Create an organisation (global admin)' })
  @ApiCreatedResponse({ description: 'The new organisation', schema: ORGANIZATION_CREATED_SCHEMA, example: { org_id: ORGANIZATION_EXAMPLE.org_id, name: ORGANIZATION_EXAMPLE.name } })
  @ApiProblems(403, 409)
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateOrganizationDto) {
    return answerOrProblem(await this.commands.execute(new CreateOrganizationCommand(caller, body.name)));
  }

  @Get()
  @PaginatedList()
  @ApiOkResponse({ schema: ORGANIZATION_PAGE_SCHEMA, headers: LINK_HEADER, example: { items: [ORGANIZATION_EXAMPLE], next_cursor: null } })
  @ApiOperation({ summary: 'Organisations the key can see (all for global roles, its own otherwise), oldest first, in pages' })
  async list(@CurrentCaller() caller: Caller, @Query() query: ListPageQueryDto) {
    const global = isGlobalRole(caller.role);
    if (!global && !caller.orgId) return { items: [], next_cursor: null };
    return pageOrRefusal(() => this.queries.listOrgs(global ? undefined : caller.orgId, query));
  }
}
