/**
 * What a leak is to a given caller (its "type": personal, employee, customer or organization). The type is not a property of the
 * leak alone: the same leak is `personal` to one user, `employee` to their org, invisible to others.
 */
import { Caller, isGlobalRole } from './caller';
import { emailDomain, isSameOrSubdomain } from './domain-names';

/** The few facts about a leak the policy reads; the read model keeps them next to each leak. */
export interface LeakAccessFacts {
  /** Email of the identity a credential belongs to (breach / stealer-log leaks). */
  identityEmail?: string;
  /** Host of the site URL a credential was for (see `hostOfUrl`). */
  siteDomain?: string;
  /** Organisation whose ingest created the leak. */
  ingestedByOrgId?: string;
}

export const LEAK_TYPES = ['personal', 'employee', 'customer', 'organization'] as const;
export type LeakType = (typeof LEAK_TYPES)[number];

/** Emails compare trimmed and case-insensitively; anything without a usable domain is no email at all. */
export function normalizeEmail(email: string | undefined): string | undefined {
  if (emailDomain(email) === undefined) return undefined;
  return (email as string).trim().toLowerCase();
}

const underVerifiedDomain = (host: string | undefined, caller: Caller): boolean =>
  host !== undefined && caller.verifiedDomains.some((domain) => isSameOrSubdomain(host, domain));

/**
 * Whether the caller's `user_email` is vouched for by the key's issuer, so that it may open `personal` leaks
 * of OTHER organisations: the address lies on one of the issuing organisation's domains verified now (the
 * installation itself vouches for global keys, which see everything anyway). An org admin can type any
 * address into a new key; without this rule `user_email: "ceo@b-corp.test"` would read org B's leaks.
 */
export function isVouchedEmail(caller: Caller): boolean {
  if (normalizeEmail(caller.email) === undefined) return false;
  return isGlobalRole(caller.role) || underVerifiedDomain(emailDomain(caller.email), caller);
}

/** The first matching type in the order personal, employee, customer, organization; null = not visible by type. */
export function classifyLeak(caller: Caller, facts: LeakAccessFacts): LeakType | null {
  const identity = normalizeEmail(facts.identityEmail);
  const own = normalizeEmail(caller.email);
  // An unvouched address still names the caller's own leaks, but only inside the caller's organisation.
  const personalReach = isVouchedEmail(caller) || (caller.orgId !== undefined && caller.orgId !== '' && facts.ingestedByOrgId === caller.orgId);
  if (identity !== undefined && identity === own && personalReach) return 'personal';
  if (underVerifiedDomain(emailDomain(facts.identityEmail), caller)) return 'employee';
  if (underVerifiedDomain(facts.siteDomain, caller)) return 'customer';
  // Both sides must be present: a global caller (no org) must not "own" a leak with no ingesting org.
  if (caller.orgId !== undefined && caller.orgId !== '' && facts.ingestedByOrgId === caller.orgId) return 'organization';
  return null;
}
