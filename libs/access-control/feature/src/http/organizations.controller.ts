import { Body, Controller, Get, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller, Roles } from '@leakwatch/auth';
import { CreateOrganizationCommand } from '../application/organization.commands';
import { AccessQueries } from '../read-model/access-queries';
import { CreateOrganizationDto } from './dto/access.dto';

@ApiTags('access control')
@ApiSecurity('api-key')
@Controller('api/v1/orgs')
export class OrganizationsController {
  constructor(private readonly commands: CommandBus, private readonly queries: AccessQueries) {}

  @Post()
  @Roles('global_admin')
  @ApiOperation({ summary: 'Create an organisation (global admin)' })
  @ApiCreatedResponse({ description: '`{ org_id, name }`' })
  create(@CurrentCaller() caller: Caller, @Body() body: CreateOrganizationDto) {
    return this.commands.execute(new CreateOrganizationCommand(caller, body.name));
  }

  @Get()
  @ApiOperation({ summary: 'Organisations the key can see (all for global roles, its own otherwise)' })
  async list(@CurrentCaller() caller: Caller) {
    const global = caller.role === 'global_admin' || caller.role === 'global_analyst';
    if (!global && !caller.orgId) return { items: [] };
    return { items: await this.queries.listOrgs(global ? undefined : caller.orgId) };
  }
}
