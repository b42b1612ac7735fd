/** The answers of the leak endpoints, as named OpenAPI schemas (what a generated client's types are made of). */
import { apiSchema, s } from '@leakwatch/runtime';
import { LEAK_STATUSES, RISKS } from '@leakwatch/leak-lifecycle/domain';

const LEAK_TYPES = ['personal', 'employee', 'customer', 'organization'];

const leakFields = {
  leakid: s.leakid(),
  kind: s.enumOf(['token', 'credential']),
  secret_type: s.string({ examples: ['github-pat'] }),
  preview: s.string({ description: 'Never the secret: a masked preview', examples: ['ghp_…(42)'] }),
  fingerprint: s.nullableString({ description: 'SHA-256 (hex) of a token; null for credentials' }),
  status: s.enumOf(LEAK_STATUSES),
  virtual_patch: s.boolean(),
  risk: s.enumOf(RISKS),
  blockable: s.boolean(),
  identity: s.nullable(s.object({ email: s.nullableString(), username: s.nullableString() })),
  site: s.nullable(s.object({ url: s.nullableString(), domain: s.nullableString() })),
  org_id: s.nullableString(),
  sources: s.array(s.string()),
  sightings: s.integer({ minimum: 0 }),
  attempts: s.integer({ minimum: 0 }),
  first_seen: s.dateTime(),
  last_seen: s.dateTime(),
  fixed_at: s.nullableDateTime(),
  revision: s.integer({ minimum: 0, description: 'Stream revision; also the ETag, for If-Match' }),
};
const leakType = { ...s.nullableString(), enum: [...LEAK_TYPES, null], description: 'What the leak is for the calling key (null: none of these)' };

export const LEAK_EXAMPLE = {
  leakid: 'b3652f2555841f7652badd9804859f4e', kind: 'token', secret_type: 'github-pat', type: 'organization', preview: 'ghp_…(42)',
  fingerprint: 'f0ce46d123c1fe24fe31991f7ec9683a7a36bc643b9859832d4787dec4fa7d30', status: 'open', virtual_patch: false, risk: 'high',
  blockable: true, identity: null, site: null, org_id: '71157f19-a659-44d3-98a6-6ebac5901975', sources: ['gitleaks'], sightings: 1, attempts: 0,
  first_seen: '2026-11-25T10:00:00.000Z', last_seen: '2026-11-25T10:00:00.000Z', fixed_at: null, revision: 0,
};

export const LEAK_SCHEMA = apiSchema('Leak', s.object({ ...leakFields, type: leakType }));

export const LEAK_PAGE_SCHEMA = apiSchema(
  'LeakPage',
  s.object({
    items: s.array(LEAK_SCHEMA),
    next_cursor: s.nullableString({ description: 'Pass as `cursor` for the next page (same filters and order); null on the last page' }),
    total: s.integer({ minimum: 0, description: 'Leaks matching the filters' }),
    summary: s.object(Object.fromEntries(LEAK_TYPES.map((t) => [t, s.integer({ minimum: 0 })])), { description: 'Matching leaks per type, before the type filter' }),
  }),
);

export const LEAK_AS_OF_SCHEMA = apiSchema(
  'LeakAsOf',
  s.object({ ...leakFields, type: leakType, as_of: s.dateTime() }, { description: 'The leak rebuilt from its events up to `as_of`; only `type` is today’s' }),
);

export const LEAK_OR_AS_OF_SCHEMA = { anyOf: [LEAK_SCHEMA, LEAK_AS_OF_SCHEMA] };

export const LEAK_HISTORY_SCHEMA = apiSchema(
  'LeakHistory',
  s.object({
    leakid: s.leakid(),
    events: s.array(
      s.object({
        revision: s.integer({ minimum: 0 }),
        type: s.string({ examples: ['LeakDetected', 'LeakStatusChanged'] }),
        time: s.dateTime(),
        recorded_at: s.dateTime(),
        actor: { type: ['object', 'null'], description: 'Who caused it: key id, role, organisation' },
        data: { type: 'object', description: 'The event’s data (never a secret)' },
      }),
    ),
  }),
);

const decision = (name: string, result: Record<string, unknown>) =>
  apiSchema(name, s.object({ results: s.array(s.object(result as never)), updated: s.integer({ minimum: 0 }), unchanged: s.integer({ minimum: 0 }) }));

export const STATUS_DECISION_SCHEMA = decision('LeakStatusDecision', {
  leakid: s.leakid(), status: s.enumOf(LEAK_STATUSES), previous_status: s.enumOf(LEAK_STATUSES), changed: s.boolean(),
});
export const VIRTUAL_PATCH_DECISION_SCHEMA = decision('VirtualPatchDecision', {
  leakid: s.leakid(), virtual_patch: s.boolean(), previous_virtual_patch: s.boolean(), changed: s.boolean(),
});
