/**
 * Who is asking: the authenticated API key's role, organisation and user, plus the facts about the
 * caller's organisation the policy needs (its currently verified domains). Built by the edge from the
 * key cache; the policy never looks anything up itself.
 */
export const ROLES = ['global_admin', 'global_analyst', 'admin', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  keyId: string;
  role: Role;
  /** The key's organisation; absent for global roles. */
  orgId?: string;
  /** The key's `user_email`, the only thing that makes a leak `personal`. */
  email?: string;
  /** The caller org's domains that are verified NOW (revoked or expired ones already removed), lowercase. */
  verifiedDomains: readonly string[];
}

/** Roles arrive from stored events and caches as plain strings: check before trusting them. */
export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export const isGlobalRole = (role: Role): boolean => role === 'global_admin' || role === 'global_analyst';

/** Only admins change leaks; analysts (global or not) are read-only. */
export const isMutatingRole = (role: Role): boolean => role === 'global_admin' || role === 'admin';
