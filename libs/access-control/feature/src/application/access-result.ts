/**
 * What an access-control command answers: its value, or a refusal naming why not. Handlers return these and
 * never build HTTP problems; the edge (http/refusal-problems.ts) maps every refusal to one, exhaustively.
 */
import type { ApiKeyRefusal, DomainRefusal, OrganizationRefusal } from '@leakwatch/access-control/domain';

/** Refusals decided by the application (who may act, what exists) besides those of the deciders. */
export type AccessPolicyRefusal =
  | 'admins_only'
  | 'org_admin_global_role'
  | 'foreign_organization'
  | 'no_organization'
  | 'org_id_required'
  | 'org_not_found'
  | 'key_not_in_reach'
  | 'invalid_domain';

export type AccessRefusal = ApiKeyRefusal | DomainRefusal | OrganizationRefusal | AccessPolicyRefusal;

/** `subject` names what the refusal is about (an id, a domain) so the answer can say it. */
export type AccessResult<T> = { ok: true; value: T } | { ok: false; refusal: AccessRefusal; subject?: string };
export type Refused = Extract<AccessResult<never>, { ok: false }>;

export const answer = <T>(value: T): AccessResult<T> => ({ ok: true, value });
export const refused = (refusal: AccessRefusal, subject?: string): Refused => ({ ok: false, refusal, ...(subject === undefined ? {} : { subject }) });
