import {
  Caller,
  Decision,
  LeakAccessFacts,
  LeakType,
  Role,
  canAccessAll,
  canMutate,
  canRead,
  classifyLeak,
  isGlobalRole,
  isAdminRole,
} from '../src';

// Org A verified acme.com; its keys belong to alice@acme.com. Org B is the foreigner.
const orgCaller = (role: Role, over: Partial<Caller> = {}): Caller => ({
  keyId: `k-${role}`, role, orgId: 'org-a', email: 'alice@acme.com', verifiedDomains: ['acme.com'], ...over,
});
const globalCaller = (role: Role, over: Partial<Caller> = {}): Caller => ({
  keyId: `k-${role}`, role, email: 'root@leakwatch.io', verifiedDomains: [], ...over,
});
const callers: Record<Role, Caller> = {
  global_admin: globalCaller('global_admin'),
  global_analyst: globalCaller('global_analyst'),
  admin: orgCaller('admin'),
  analyst: orgCaller('analyst'),
};

// Each leak matches exactly one rule for org A (or none), so a removed rule shows up as a failed row.
const leaks = {
  personal: { identityEmail: ' Alice@ACME.com ', siteDomain: 'example.org', ingestedByOrgId: 'org-b' },
  employee: { identityEmail: 'bob@eu.acme.com', siteDomain: 'example.org', ingestedByOrgId: 'org-b' },
  customer: { identityEmail: 'carol@gmail.com', siteDomain: 'shop.acme.com', ingestedByOrgId: 'org-b' },
  organization: { identityEmail: 'dave@gmail.com', siteDomain: 'example.org', ingestedByOrgId: 'org-a' },
  foreign: { identityEmail: 'eve@other.io', siteDomain: 'other.io', ingestedByOrgId: 'org-b' },
  empty: {},
} satisfies Record<string, LeakAccessFacts>;
type LeakName = keyof typeof leaks;

const via = (v: LeakType | 'global'): Decision => ({ allowed: true, via: v });
const refused = (reason: 'not_visible' | 'read_only_role' | 'unknown_role'): Decision => ({ allowed: false, reason });

describe('roles', () => {
  it.each<[Role, boolean, boolean]>([
    ['global_admin', true, true],
    ['global_analyst', true, false],
    ['admin', false, true],
    ['analyst', false, false],
  ])('%s: global=%p mutating=%p', (role, global, mutating) => {
    expect(isGlobalRole(role)).toBe(global);
    expect(isAdminRole(role)).toBe(mutating);
  });
});

describe('role × leak type × action', () => {
  it.each<[Role, LeakName, 'read' | 'mutate', Decision]>([
    ['global_admin', 'personal', 'read', via('global')],
    ['global_admin', 'employee', 'read', via('global')],
    ['global_admin', 'customer', 'read', via('global')],
    ['global_admin', 'organization', 'read', via('global')],
    ['global_admin', 'foreign', 'read', via('global')],
    ['global_admin', 'empty', 'read', via('global')],
    ['global_admin', 'personal', 'mutate', via('global')],
    ['global_admin', 'employee', 'mutate', via('global')],
    ['global_admin', 'customer', 'mutate', via('global')],
    ['global_admin', 'organization', 'mutate', via('global')],
    ['global_admin', 'foreign', 'mutate', via('global')],
    ['global_admin', 'empty', 'mutate', via('global')],

    ['global_analyst', 'personal', 'read', via('global')],
    ['global_analyst', 'employee', 'read', via('global')],
    ['global_analyst', 'customer', 'read', via('global')],
    ['global_analyst', 'organization', 'read', via('global')],
    ['global_analyst', 'foreign', 'read', via('global')],
    ['global_analyst', 'empty', 'read', via('global')],
    ['global_analyst', 'personal', 'mutate', refused('read_only_role')],
    ['global_analyst', 'employee', 'mutate', refused('read_only_role')],
    ['global_analyst', 'customer', 'mutate', refused('read_only_role')],
    ['global_analyst', 'organization', 'mutate', refused('read_only_role')],
    ['global_analyst', 'foreign', 'mutate', refused('read_only_role')],
    ['global_analyst', 'empty', 'mutate', refused('read_only_role')],

    ['admin', 'personal', 'read', via('personal')],
    ['admin', 'employee', 'read', via('employee')],
    ['admin', 'customer', 'read', via('customer')],
    ['admin', 'organization', 'read', via('organization')],
    ['admin', 'foreign', 'read', refused('not_visible')],
    ['admin', 'empty', 'read', refused('not_visible')],
    ['admin', 'personal', 'mutate', via('personal')],
    ['admin', 'employee', 'mutate', via('employee')],
    ['admin', 'customer', 'mutate', via('customer')],
    ['admin', 'organization', 'mutate', via('organization')],
    ['admin', 'foreign', 'mutate', refused('not_visible')],
    ['admin', 'empty', 'mutate', refused('not_visible')],

    ['analyst', 'personal', 'read', via('personal')],
    ['analyst', 'employee', 'read', via('employee')],
    ['analyst', 'customer', 'read', via('customer')],
    ['analyst', 'organization', 'read', via('organization')],
    ['analyst', 'foreign', 'read', refused('not_visible')],
    ['analyst', 'empty', 'read', refused('not_visible')],
    ['analyst', 'personal', 'mutate', refused('read_only_role')],
    ['analyst', 'employee', 'mutate', refused('read_only_role')],
    ['analyst', 'customer', 'mutate', refused('read_only_role')],
    ['analyst', 'organization', 'mutate', refused('read_only_role')],
    ['analyst', 'foreign', 'mutate', refused('read_only_role')],
    ['analyst', 'empty', 'mutate', refused('read_only_role')],
  ])('%s × %s leak × %s → %j', (role, leak, action, expected) => {
    const decide = action === 'read' ? canRead : canMutate;
    expect(decide(callers[role], leaks[leak])).toEqual(expected);
  });
});

describe('classifyLeak rules', () => {
  const caller = orgCaller('admin');
  it.each<[string, Caller, LeakAccessFacts, LeakType | null]>([
    // personal
    ['personal: same email', caller, { identityEmail: 'alice@acme.com' }, 'personal'],
    ['personal: case and whitespace ignored', caller, { identityEmail: '  ALICE@Acme.COM\t' }, 'personal'],
    ['personal: caller email differs in case', orgCaller('admin', { email: ' Alice@Gmail.com ' }), { identityEmail: 'alice@gmail.com', ingestedByOrgId: 'org-a' }, 'personal'],
    ['personal: unvouched mailbox, leak of the own org', orgCaller('admin', { email: 'alice@gmail.com' }), { identityEmail: 'alice@gmail.com', ingestedByOrgId: 'org-a' }, 'personal'],
    ['personal: unvouched mailbox, leak of another org', orgCaller('admin', { email: 'alice@gmail.com' }), { identityEmail: 'alice@gmail.com', ingestedByOrgId: 'org-b' }, null],
    ['personal: unvouched mailbox, leak of no org', orgCaller('admin', { email: 'alice@gmail.com' }), { identityEmail: 'alice@gmail.com' }, null],
    ['personal: address on a foreign org domain opens nothing of that org', orgCaller('admin', { email: 'ceo@b-corp.test' }), { identityEmail: 'ceo@b-corp.test', ingestedByOrgId: 'org-b' }, null],
    ['personal: vouched address (verified domain) reaches other orgs', caller, { identityEmail: 'alice@acme.com', ingestedByOrgId: 'org-b' }, 'personal'],
    ['personal: vouched by a verified parent domain', orgCaller('admin', { email: 'alice@eu.acme.com' }), { identityEmail: 'alice@eu.acme.com', ingestedByOrgId: 'org-b' }, 'personal'],
    ['personal: domain no longer verified stops vouching', orgCaller('admin', { verifiedDomains: [] }), { identityEmail: 'alice@acme.com', ingestedByOrgId: 'org-b' }, null],
    ['personal: look-alike of a verified domain is not vouched', orgCaller('admin', { email: 'alice@notacme.com' }), { identityEmail: 'alice@notacme.com', ingestedByOrgId: 'org-b' }, null],
    ['personal: another person', orgCaller('admin', { email: 'alice@gmail.com' }), { identityEmail: 'alicia@gmail.com' }, null],
    ['personal: caller without email', orgCaller('admin', { email: undefined }), { identityEmail: 'alice@gmail.com' }, null],
    ['personal: caller without email, leak without identity', orgCaller('admin', { email: undefined }), {}, null],
    ['personal: empty caller email and empty identity', orgCaller('admin', { email: '' }), { identityEmail: '' }, null],
    ['personal: non-email strings never match', orgCaller('admin', { email: 'alice' }), { identityEmail: 'alice' }, null],
    ['personal: global caller own email', globalCaller('global_analyst'), { identityEmail: 'ROOT@leakwatch.io' }, 'personal'],
    // employee
    ['employee: verified domain', caller, { identityEmail: 'bob@acme.com' }, 'employee'],
    ['employee: subdomain of verified', caller, { identityEmail: 'bob@eu.acme.com' }, 'employee'],
    ['employee: deep subdomain', caller, { identityEmail: 'bob@a.b.eu.acme.com' }, 'employee'],
    ['employee: upper case and trailing dot', caller, { identityEmail: 'Bob@EU.ACME.COM.' }, 'employee'],
    ['employee: second verified domain', orgCaller('admin', { verifiedDomains: ['acme.com', 'acme.io'] }), { identityEmail: 'bob@acme.io' }, 'employee'],
    ['employee: look-alike notacme.com', caller, { identityEmail: 'bob@notacme.com' }, null],
    ['employee: look-alike evil-acme.com', caller, { identityEmail: 'bob@evil-acme.com' }, null],
    ['employee: look-alike acme.com.evil.net', caller, { identityEmail: 'bob@acme.com.evil.net' }, null],
    ['employee: different TLD acme.co', caller, { identityEmail: 'bob@acme.co' }, null],
    ['employee: last @ decides the domain', caller, { identityEmail: 'bob@acme.com@evil.net' }, null],
    ['employee: unverified domain', caller, { identityEmail: 'bob@acme-pending.io' }, null],
    ['employee: org with no verified domain', orgCaller('admin', { verifiedDomains: [] }), { identityEmail: 'bob@acme.com' }, null],
    ['employee: verified domain revoked (no longer listed)', orgCaller('admin', { verifiedDomains: ['acme.io'] }), { identityEmail: 'bob@acme.com' }, null],
    ['employee: parent of a verified subdomain does not match', orgCaller('admin', { verifiedDomains: ['eu.acme.com'] }), { identityEmail: 'bob@acme.com' }, null],
    ['employee: empty label in identity domain', caller, { identityEmail: 'bob@x..acme.com' }, null],
    ['employee: no local part', caller, { identityEmail: '@acme.com' }, null],
    ['employee: no domain', caller, { identityEmail: 'bob@' }, null],
    // customer
    ['customer: site on verified domain', caller, { siteDomain: 'acme.com' }, 'customer'],
    ['customer: site on subdomain', caller, { siteDomain: 'shop.acme.com' }, 'customer'],
    ['customer: upper case and trailing dot', caller, { siteDomain: 'Shop.ACME.com.' }, 'customer'],
    ['customer: look-alike evil-acme.com', caller, { siteDomain: 'evil-acme.com' }, null],
    ['customer: look-alike acme.com.evil.net', caller, { siteDomain: 'acme.com.evil.net' }, null],
    ['customer: look-alike notacme.com', caller, { siteDomain: 'notacme.com' }, null],
    ['customer: unverified site domain', caller, { siteDomain: 'acme-pending.io' }, null],
    ['customer: empty label', caller, { siteDomain: '.acme.com' }, null],
    ['customer: empty site domain', caller, { siteDomain: '' }, null],
    // organization
    ['organization: ingested by caller org', caller, { ingestedByOrgId: 'org-a' }, 'organization'],
    ['organization: ingested by a foreign org', caller, { ingestedByOrgId: 'org-b' }, null],
    ['organization: no ingesting org', caller, {}, null],
    ['organization: caller without org never matches a leak without org', globalCaller('global_admin'), {}, null],
    ['organization: empty org ids never match', orgCaller('admin', { orgId: '' }), { ingestedByOrgId: '' }, null],
    // order: the first matching rule names the type
    ['order: personal before employee', caller, { identityEmail: 'alice@acme.com', siteDomain: 'acme.com', ingestedByOrgId: 'org-a' }, 'personal'],
    ['order: employee before customer', caller, { identityEmail: 'bob@acme.com', siteDomain: 'acme.com', ingestedByOrgId: 'org-a' }, 'employee'],
    ['order: customer before organization', caller, { identityEmail: 'x@gmail.com', siteDomain: 'acme.com', ingestedByOrgId: 'org-a' }, 'customer'],
    // no facts
    ['no facts at all', caller, {}, null],
  ])('%s', (_name, who, facts, expected) => {
    expect(classifyLeak(who, facts)).toBe(expected);
  });
});

describe('rules that must not be removed', () => {
  it.each<[string, Caller, LeakAccessFacts, 'read' | 'mutate', Decision]>([
    ['analyst may not mutate even its own personal leak', orgCaller('analyst'), leaks.personal, 'mutate', refused('read_only_role')],
    ['global analyst may not mutate even its own personal leak', globalCaller('global_analyst'), { identityEmail: 'root@leakwatch.io' }, 'mutate', refused('read_only_role')],
    ['admin may not read a foreign org leak', orgCaller('admin'), leaks.foreign, 'read', refused('not_visible')],
    ['admin may not mutate a foreign org leak', orgCaller('admin'), leaks.foreign, 'mutate', refused('not_visible')],
    ['admin of org B may not mutate org A employee leak', orgCaller('admin', { orgId: 'org-b', verifiedDomains: ['other.io'], email: 'eve@other.io' }), { identityEmail: 'bob@eu.acme.com', ingestedByOrgId: 'org-a' }, 'mutate', refused('not_visible')],
    ['admin may not read a leak on a domain it only claimed', orgCaller('admin', { verifiedDomains: [] }), { identityEmail: 'bob@acme.com', siteDomain: 'acme.com' }, 'read', refused('not_visible')],
    ['admin without email does not get a personal leak', orgCaller('admin', { email: undefined, verifiedDomains: [] }), { identityEmail: 'alice@gmail.com' }, 'read', refused('not_visible')],
    ['unknown role is refused reading', { ...orgCaller('admin'), role: 'superuser' as Role }, leaks.organization, 'read', refused('unknown_role')],
    ['unknown role is refused mutating', { ...orgCaller('admin'), role: 'superuser' as Role }, leaks.organization, 'mutate', refused('unknown_role')],
  ])('%s', (_name, who, facts, action, expected) => {
    expect((action === 'read' ? canRead : canMutate)(who, facts)).toEqual(expected);
  });
});

describe('canAccessAll (all-or-nothing bulk)', () => {
  it.each<[string, Caller, LeakAccessFacts[], 'read' | 'mutate', ReturnType<typeof canAccessAll>]>([
    ['admin: every leak accessible', orgCaller('admin'), [leaks.personal, leaks.employee, leaks.customer, leaks.organization], 'mutate', { allowed: true }],
    ['admin: one foreign id refused by index', orgCaller('admin'), [leaks.personal, leaks.foreign, leaks.employee], 'mutate', { allowed: false, refused: [{ index: 1, reason: 'not_visible' }] }],
    ['admin: every refused index listed', orgCaller('admin'), [leaks.foreign, leaks.customer, leaks.empty], 'read', {
      allowed: false, refused: [{ index: 0, reason: 'not_visible' }, { index: 2, reason: 'not_visible' }],
    }],
    ['analyst: reads its own leaks', orgCaller('analyst'), [leaks.personal, leaks.organization], 'read', { allowed: true }],
    ['analyst: mutation refused on every index', orgCaller('analyst'), [leaks.personal, leaks.foreign], 'mutate', {
      allowed: false, refused: [{ index: 0, reason: 'read_only_role' }, { index: 1, reason: 'read_only_role' }],
    }],
    ['global admin: foreign leaks included', globalCaller('global_admin'), [leaks.foreign, leaks.empty], 'mutate', { allowed: true }],
    ['global analyst: read everything', globalCaller('global_analyst'), [leaks.foreign, leaks.personal], 'read', { allowed: true }],
    ['empty list is vacuously allowed', orgCaller('admin'), [], 'mutate', { allowed: true }],
  ])('%s', (_name, who, facts, action, expected) => {
    expect(canAccessAll(who, facts, action)).toEqual(expected);
  });
});
