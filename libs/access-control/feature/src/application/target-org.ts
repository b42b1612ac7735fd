import { Caller, isGlobalRole } from '@leakwatch/authz';
import { AccessResult, answer, refused } from './access-result';

/**
 * The organisation a domain operation acts on: an org admin's own; a global admin must name one.
 * An org admin naming another organisation is refused.
 */
export function targetOrg(caller: Caller, requested: string | undefined): AccessResult<string> {
  if (isGlobalRole(caller.role)) return requested ? answer(requested) : refused('org_id_required');
  if (!caller.orgId) return refused('no_organization');
  if (requested && requested !== caller.orgId) return refused('foreign_organization');
  return answer(caller.orgId);
}
