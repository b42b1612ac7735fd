/**
 * Organisation: created once by a global admin. Names are free text (trimmed), ids chosen by the caller.
 */
import { Decider, accept, refuse } from '@leakwatch/decider';

export type OrganizationEvent = { type: 'OrganizationCreated'; data: { org_id: string; name: string } };

export type OrganizationCommand = { type: 'CreateOrganization'; orgId: string; name: string };

export type OrganizationState = { status: 'none' } | { status: 'active'; orgId: string; name: string };

export type OrganizationRefusal = 'organization_exists' | 'invalid_name';

export const organizationDecider: Decider<OrganizationState, OrganizationCommand, OrganizationEvent, OrganizationRefusal> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    if (state.status !== 'none') return refuse('organization_exists');
    const name = command.name.trim();
    if (!name) return refuse('invalid_name');
    return accept({ type: 'OrganizationCreated', data: { org_id: command.orgId, name } });
  },
  evolve: (_state, event) => ({ status: 'active', orgId: event.data.org_id, name: event.data.name }),
};
