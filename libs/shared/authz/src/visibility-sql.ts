/**
 * The leak-visibility policy as SQL, for read models that filter in the database: the same four rules
 * as `classifyLeak` (personal, employee, customer, organization — in that order), over columns
 * `identity_email`, `identity_domain`, `site_domain`, `org_id`. Pure string building: values are bound
 * through `bind`, which returns the placeholder (`$3`). Domain match = equal or a subdomain.
 */
import { Caller, isGlobalRole } from './caller';
import { isVouchedEmail, normalizeEmail } from './leak-access';

export type Bind = (value: unknown) => string;

function rules(caller: Caller, bind: Bind) {
  const domains = bind(caller.verifiedDomains.map((d) => d.toLowerCase()));
  const underVerified = (column: string) =>
    `(${column} IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(${domains}::text[]) d WHERE ${column} = d OR right(${column}, length(d) + 1) = '.' || d))`;
  const email = normalizeEmail(caller.email);
  const emailParam = email ? bind(email) : undefined;
  const ownOrg = caller.orgId ? `org_id = ${bind(caller.orgId)}` : 'false';
  // Same rule as classifyLeak: an address the issuer does not vouch for only matches leaks of the caller's org.
  const personalReach = isVouchedEmail(caller) ? '' : ` AND ${ownOrg}`;
  return {
    personal: emailParam ? `(identity_email = ${emailParam}${personalReach})` : 'false',
    employee: underVerified('identity_domain'),
    customer: underVerified('site_domain'),
    organization: ownOrg,
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
