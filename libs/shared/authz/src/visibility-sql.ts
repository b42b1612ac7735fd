/**
 * The leak-visibility policy as SQL, for read models that filter in the database: the same four rules
 * as `classifyLeak` (personal, employee, customer, organization — in that order), over columns
 * `identity_email`, `identity_domain`, `site_domain`, `org_id`. Pure string building: values are bound
 * through `bind`, which returns the placeholder (`$3`). Domain match = equal or a subdomain.
 */
import { Caller, isGlobalRole } from './caller';

export type Bind = (value: unknown) => string;

function rules(caller: Caller, bind: Bind) {
  const domains = bind(caller.verifiedDomains.map((d) => d.toLowerCase()));
  const underVerified = (column: string) =>
    `(${column} IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(${domains}::text[]) d WHERE ${column} = d OR right(${column}, length(d) + 1) = '.' || d))`;
  return {
    personal: caller.email ? `identity_email = ${bind(caller.email.toLowerCase())}` : 'false',
    employee: underVerified('identity_domain'),
    customer: underVerified('site_domain'),
    organization: caller.orgId ? `org_id = ${bind(caller.orgId)}` : 'false',
  };
}

/** `CASE ... END`: the leak's type for this caller, NULL when no rule matches. */
export function leakTypeSql(caller: Caller, bind: Bind): string {
  const r = rules(caller, bind);
  return `CASE WHEN ${r.personal} THEN 'personal' WHEN ${r.employee} THEN 'employee' WHEN ${r.customer} THEN 'customer' WHEN ${r.organization} THEN 'organization' END`;
}

/** A boolean condition: the caller may see the row (always true for global roles). */
export function leakVisibleSql(caller: Caller, bind: Bind): string {
  if (isGlobalRole(caller.role)) return 'true';
  const r = rules(caller, bind);
  return `(${r.personal} OR ${r.employee} OR ${r.customer} OR ${r.organization})`;
}
