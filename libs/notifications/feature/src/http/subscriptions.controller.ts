/**
 * `/api/v1/notifications/subscriptions`: an organisation's webhook subscriptions, their delivery log, and
 * redelivery by id. Admins change, analysts read; another organisation's subscription answers 404.
 */
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DELIVERY_LIST_SCHEMA, DELIVERY_SCHEMA, SUBSCRIPTION_CREATED_SCHEMA, SUBSCRIPTION_DELETED_SCHEMA, SUBSCRIPTION_LIST_SCHEMA, SUBSCRIPTION_SCHEMA } from './subscription.openapi';
import { Caller, isGlobalRole } from '@leakwatch/authz';
import { CurrentCaller, Roles } from '@leakwatch/auth';
import { ProblemException } from '@leakwatch/runtime';
import { NOTIFICATIONS_RUNTIME, NotificationsRuntime } from '../application/notifications-runtime';
import { CreateSubscriptionDto, DeliveryIdParams, DeliveryLogQueryDto, OrgQueryDto, SubscriptionIdParams } from './subscription.dto';

@ApiTags('notifications')
@ApiSecurity('api-key')
@Controller('api/v1/notifications/subscriptions')
export class SubscriptionsController {
  constructor(@Inject(NOTIFICATIONS_RUNTIME) private readonly runtime: NotificationsRuntime) {}

  @Post()
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Subscribe a URL to the organisation’s leak events (CloudEvents or Slack); the signing secret is shown once' })
  @ApiCreatedResponse({ schema: SUBSCRIPTION_CREATED_SCHEMA })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateSubscriptionDto) {
    const orgId = ownOrg(caller, body.org_id, true) as string;
    const refusal = await this.runtime.sender.refusal(body.url);
    if (refusal) throw new ProblemException(400, 'invalid-webhook-url', 'Invalid request', `url ${refusal}`, { errors: [{ field: 'url', message: refusal }] });
    const { subscription, secret } = await this.runtime.subscriptions.create({
      orgId, url: body.url, format: body.format ?? 'cloudevents', eventTypes: body.event_types ?? ['*'], description: body.description,
    });
    return { ...subscription, secret, signature: 'Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature (v1, HMAC-SHA256)' };
  }

  @Get()
  @ApiOperation({ summary: 'The organisation’s subscriptions (never their secrets)' })
  @ApiOkResponse({ schema: SUBSCRIPTION_LIST_SCHEMA })
  async list(@CurrentCaller() caller: Caller, @Query() query: OrgQueryDto) {
    return { items: await this.runtime.subscriptions.list(ownOrg(caller, query.org_id, false)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One subscription' })
  @ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: SUBSCRIPTION_SCHEMA })
  async get(@CurrentCaller() caller: Caller, @Param() params: SubscriptionIdParams) {
    return this.visible(caller, params.id);
  }

  @Delete(':id')
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Delete a subscription: pending deliveries are cancelled; its delivery log stays' })
  @ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: SUBSCRIPTION_DELETED_SCHEMA })
  async delete(@CurrentCaller() caller: Caller, @Param() params: SubscriptionIdParams) {
    if (!(await this.runtime.subscriptions.delete(params.id, scope(caller)))) throw notFound(params.id);
    return { id: params.id, deleted: true };
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Delivery log, newest first: status, attempts, last answer and error, next attempt' })
  @ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: DELIVERY_LIST_SCHEMA })
  async deliveries(@CurrentCaller() caller: Caller, @Param() params: SubscriptionIdParams, @Query() query: DeliveryLogQueryDto) {
    await this.visible(caller, params.id);
    return { items: await this.runtime.log.list(params.id, { status: query.status, limit: query.limit ?? 50 }) };
  }

  @Post(':id/deliveries/:delivery_id/redeliver')
  @HttpCode(202)
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Send one delivery again now (same webhook-id), with a fresh retry budget' })
  @ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } })
  @ApiParam({ name: 'delivery_id', schema: { type: 'string', format: 'uuid' } })
  @ApiAcceptedResponse({ schema: DELIVERY_SCHEMA })
  async redeliver(@CurrentCaller() caller: Caller, @Param() params: DeliveryIdParams) {
    await this.visible(caller, params.id);
    const delivery = await this.runtime.log.redeliver(params.id, params.delivery_id, this.runtime.maxAttempts);
    if (!delivery) throw new ProblemException(404, 'delivery-not-found', 'Not found', `No delivery ${params.delivery_id} in subscription ${params.id}.`);
    this.runtime.dispatcher.wake();
    return delivery;
  }

  private async visible(caller: Caller, id: string) {
    const subscription = await this.runtime.subscriptions.find(id, scope(caller));
    if (!subscription) throw notFound(id);
    return subscription;
  }
}

/** Org keys act on their organisation; global keys on `org_id` (required to create). */
function ownOrg(caller: Caller, orgId: string | undefined, required: boolean): string | undefined {
  if (!isGlobalRole(caller.role)) {
    if (orgId && orgId !== caller.orgId) throw new ProblemException(403, 'foreign-organization', 'Forbidden', 'A key acts on its own organisation only.');
    return caller.orgId;
  }
  if (required && !orgId) {
    throw new ProblemException(400, 'org-id-required', 'Invalid request', 'Global keys must give org_id.', { errors: [{ field: 'org_id', message: 'required for global keys' }] });
  }
  return orgId;
}

function scope(caller: Caller): string | undefined {
  return isGlobalRole(caller.role) ? undefined : caller.orgId;
}

function notFound(id: string) {
  return new ProblemException(404, 'subscription-not-found', 'Not found', `No subscription ${id} visible to you.`);
}
