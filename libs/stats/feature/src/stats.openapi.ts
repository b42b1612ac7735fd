/** The answers of the stats endpoints, as named OpenAPI schemas. */
import { LEAK_STATUSES, RISKS } from '@leakwatch/contracts';
import { apiSchema, s } from '@leakwatch/runtime';

const counts = (keys: readonly string[]) => s.object(Object.fromEntries(keys.map((k) => [k, s.integer({ minimum: 0 })])));

export const LEAK_STATS_SCHEMA = apiSchema(
  'LeakStats',
  s.object({
    window: s.object({ days: s.integer({ minimum: 1, maximum: 365 }), from: s.day(), to: s.day() }),
    total: s.integer({ minimum: 0 }),
    virtual_patched: s.integer({ minimum: 0 }),
    by_status: counts(LEAK_STATUSES),
    by_risk: counts(RISKS),
    by_type: counts(['personal', 'employee', 'customer', 'organization']),
    by_source: s.map(s.integer({ minimum: 0 })),
    open_by_risk: counts(RISKS),
    open_by_type: counts(['personal', 'employee', 'customer', 'organization']),
    open_by_source: s.map(s.integer({ minimum: 0 })),
    mean_time_to_fix: s.object({ seconds: { type: ['number', 'null'] }, hours: { type: ['number', 'null'] }, fixes: s.integer({ minimum: 0 }) }),
    per_day: s.array(s.object({ day: s.day(), opened: s.integer({ minimum: 0 }), fixed: s.integer({ minimum: 0 }), token_use_attempts: s.integer({ minimum: 0 }) })),
  }),
);

export const ATTEMPT_LIST_SCHEMA = apiSchema(
  'AttemptList',
  s.object({
    window: s.object({ from: s.day(), to: s.day() }),
    total: s.integer({ minimum: 0, description: 'Attempts in the window (the sum of the items’ counts, beyond the page too)' }),
    items: s.array(
      s.object({
        leakid: s.leakid(), at: s.dateTime(), count: s.integer({ minimum: 1, description: 'Attempts this item stands for: a gateway folds repeats of one token by one key in one flush window; `at` is the last' }),
        secret_type: s.string(), type: s.nullableString(), risk: s.string(), status: s.string(), virtual_patch: s.boolean(), sources: s.array(s.string()),
      }),
    ),
  }),
);

/** Leak-Lookup's format: `error` is the string "true" or "false"; `message` the stats or the error text. */
export const LEAK_LOOKUP_STATS_SCHEMA = apiSchema('LeakLookupStats', {
  oneOf: [
    s.object({
      error: s.enumOf(['false']),
      message: s.object({
        status: s.string({ examples: ['active', 'inactive'] }), type: s.string(), added: s.string({ examples: ['2026-11-25'] }),
        updated: s.string({ examples: ['2026-11-25 00:00:00'] }), expiry: s.string({ examples: ['9999-12-31 23:59:59'] }),
        requests: s.integer({ minimum: 0 }), limit: s.integer({ minimum: 0 }),
      }),
    }),
    s.object({ error: s.enumOf(['true']), message: s.string({ examples: ['INVALID API KEY', 'MISSING REQUIRED PARAMETERS'] }) }),
  ],
});
export const LEAK_LOOKUP_STATS_EXAMPLE = {
  error: 'false',
  message: { status: 'active', type: 'private', added: '2026-11-25', updated: '2026-11-25 00:00:00', expiry: '9999-12-31 23:59:59', requests: 3, limit: 10000 },
};
