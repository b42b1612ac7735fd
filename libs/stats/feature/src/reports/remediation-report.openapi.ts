/** The remediation report's answer as a named OpenAPI schema (JSON), beside its CSV and HTML renderings. */
import { LEAK_STATUSES } from '@leakwatch/contracts';
import { apiSchema, s } from '@leakwatch/runtime';

const count = () => s.integer({ minimum: 0 });
const seconds = () => ({ type: ['integer', 'null'], minimum: 0 });

const FIGURES = s.object({
  opened: count(), reopened: count(), reopened_by_regression: count(), fixed: count(), false_positives: count(),
  mean_time_to_fix_seconds: seconds(), p90_time_to_fix_seconds: seconds(), open_longer_than_n_days: count(),
});

export const REMEDIATION_REPORT_SCHEMA = apiSchema(
  'RemediationReport',
  s.object({
    window: s.object({ from: s.dateTime(), to: s.dateTime() }),
    open_longer_than_days: s.integer({ minimum: 0 }),
    totals: FIGURES,
    by_type: s.object(Object.fromEntries(['personal', 'employee', 'customer', 'organization'].map((t) => [t, FIGURES]))),
    by_risk: s.map(FIGURES),
    by_source: s.map(FIGURES),
    decisions: s.array(
      s.object({
        at: s.dateTime(), leakid: s.leakid(), revision: s.integer({ minimum: 0 }), from: s.nullableString(), to: s.enumOf(LEAK_STATUSES),
        reason: s.string(), comment: s.nullableString(),
        actor: s.object({ key_id: s.nullableString(), role: s.nullableString(), org_id: s.nullableString() }),
      }),
    ),
  }),
);
