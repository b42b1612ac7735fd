import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@leakwatch/authz';
import { organizationAggregate, orgStream } from '@leakwatch/access-control/domain';
import { EVENT_STORE, EventStore, decideAndAppend } from '@leakwatch/event-store';
import { CLOCK, Clock } from '@leakwatch/runtime';
import { metadataFor } from './actor';
import { AccessProjectionRunner } from './access-projection-runner';
import { AccessResult, answer, refused } from './access-result';

export interface CreatedOrganization {
  org_id: string;
  name: string;
}

export class CreateOrganizationCommand extends Command<AccessResult<CreatedOrganization>> {
  constructor(readonly caller: Caller, readonly name: string) {
    super();
  }
}

@CommandHandler(CreateOrganizationCommand)
export class CreateOrganizationHandler implements ICommandHandler<CreateOrganizationCommand, AccessResult<CreatedOrganization>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: AccessProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ caller, name }: CreateOrganizationCommand): Promise<AccessResult<CreatedOrganization>> {
    const orgId = randomUUID();
    const at = this.clock().toISOString();
    const outcome = await decideAndAppend(this.store, orgStream(orgId), organizationAggregate, { type: 'CreateOrganization', orgId, name }, metadataFor(caller, at));
    if (!outcome.result.ok) return refused(outcome.result.refusal);
    await this.projection.caughtUpTo(outcome.position);
    return answer({ org_id: orgId, name: outcome.result.events[0].data.name });
  }
}
