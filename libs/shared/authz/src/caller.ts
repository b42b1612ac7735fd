/**
 * Who is asking: the authenticated API key's role, organisation and user, plus the facts about the
 * caller's organisation the policy needs (its currently verified domains). Built by the edge from the
 * key cache; the policy never looks anything up itself.
 */
import type { Role } from '@leakwatch/contracts';

export { ROLES, isAdminRole, isGlobalRole, isRole } from '@leakwatch/contracts';
export type { Role } from '@leakwatch/contracts';

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
