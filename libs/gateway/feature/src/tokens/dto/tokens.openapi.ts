/** The answers of the gateway's token endpoints, as named OpenAPI schemas. */
import { apiSchema, s } from '@leakwatch/runtime';

const sha256 = s.string({ pattern: '^[0-9a-f]{64}$' });

export const TOKEN_VERDICT_SCHEMA = apiSchema(
  'TokenVerdict',
  s.partial(
    { leaked: s.boolean(), blocked: { ...s.boolean(), description: 'An active virtual patch: the gateway should refuse the token' } },
    { leakid: s.leakid() },
    { description: 'Only leaks the key may see count; `leakid` when leaked' },
  ),
);
export const BLOCKLIST_PAGE_SCHEMA = apiSchema(
  'BlocklistChanges',
  s.object({
    changes: s.array(s.object({ seq: s.integer({ minimum: 1 }), sha256, leakid: s.leakid(), blocked: s.boolean(), changed_at: s.dateTime() })),
    next_cursor: s.integer({ minimum: 0, description: 'The last `seq` returned (or the given cursor): pass it as `cursor` to read on' }),
  }),
);
export const ATTEMPTS_RESULT_SCHEMA = apiSchema('TokenAttemptsResult', s.object({ recorded: s.integer({ minimum: 0 }), ignored: s.integer({ minimum: 0 }) }));
