import { DeciderSpecification } from '@leakwatch/testing';
import { organizationDecider } from '../src';

const spec = DeciderSpecification.for(organizationDecider);

describe('organization decider', () => {
  it('creates an organisation with a trimmed name', () =>
    spec.given([]).when({ type: 'CreateOrganization', orgId: 'o1', name: '  Acme Corp ' }).then([{ type: 'OrganizationCreated', data: { org_id: 'o1', name: 'Acme Corp' } }]));
  it('refuses an empty name', () => spec.given([]).when({ type: 'CreateOrganization', orgId: 'o1', name: '   ' }).thenRefuses('invalid_name'));
  it('refuses creating it twice', () =>
    spec.given([{ type: 'OrganizationCreated', data: { org_id: 'o1', name: 'Acme' } }]).when({ type: 'CreateOrganization', orgId: 'o1', name: 'Acme' }).thenRefuses('organization_exists'));
});
