import { Caller, isGlobalRole } from '@leakwatch/authz';
import { ProblemException } from '@leakwatch/runtime';

/**
 * The organisation a domain operation acts on: an org admin's own; a global admin must name one.
 * An org admin naming another organisation is refused (403).
 */
export function targetOrg(caller: Caller, requested: string | undefined): string {
  if (isGlobalRole(caller.role)) {
    if (!requested) throw new ProblemException(400, 'org-id-required', 'Invalid request', 'Global keys must say which organisation: pass org_id.');
    return requested;
  }
  if (!caller.orgId) throw new ProblemException(403, 'no-organization', 'Forbidden', 'The key belongs to no organisation.');
  if (requested && requested !== caller.orgId) {
    throw new ProblemException(403, 'foreign-organization', 'Forbidden', 'A key acts on its own organisation only.');
  }
  return caller.orgId;
}
