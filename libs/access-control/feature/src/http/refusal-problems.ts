/**
 * Access-control refusals → HTTP problems: the only place that knows both. Exhaustive by type, so a new
 * refusal does not compile until it has an answer here.
 */
import { ProblemException } from '@leakwatch/runtime';
import type { AccessRefusal, AccessResult } from '../application/access-result';

interface ProblemShape {
  status: 400 | 403 | 404 | 409;
  /** The problem type's slug, when it differs from the refusal's name. */
  slug?: string;
  detail: (subject: string | undefined) => string;
  errors?: Array<{ field: string; message: string }>;
}

const PROBLEMS: Record<AccessRefusal, ProblemShape> = {
  organization_exists: { status: 409, detail: () => 'The organisation already exists.' },
  invalid_name: { status: 400, detail: () => 'The name must not be empty.' },
  key_exists: { status: 409, detail: () => 'An API key with this id already exists.' },
  key_not_found: { status: 404, detail: () => 'No such API key.' },
  key_revoked: { status: 409, detail: () => 'The API key is revoked; issue a new one instead.' },
  invalid_limit: { status: 400, detail: () => 'limit must be a positive integer (requests per day).' },
  expiry_in_past: { status: 400, detail: () => 'expires_at must be in the future.' },
  org_required: { status: 400, detail: () => 'org_id is required for the roles admin and analyst.' },
  global_role_with_org: { status: 400, detail: () => 'Global roles belong to no organisation: omit org_id.' },
  already_claimed: { status: 409, detail: () => 'The domain is already claimed and waiting for verification.' },
  already_verified: { status: 409, detail: () => 'The domain is already verified; re-verify it to extend the verification.' },
  domain_not_claimed: { status: 404, detail: (domain) => `${domain ?? 'The domain'} has not been claimed by this organisation.` },
  domain_revoked: { status: 409, detail: () => 'The domain claim was revoked; claim it again.' },
  admins_only: { status: 403, slug: 'forbidden-role', detail: () => 'Only admins issue API keys.' },
  org_admin_global_role: { status: 403, slug: 'forbidden-role', detail: () => 'An organisation admin cannot issue global keys.' },
  foreign_organization: { status: 403, detail: () => 'A key acts on its own organisation only.' },
  no_organization: { status: 403, detail: () => 'The key belongs to no organisation.' },
  org_id_required: { status: 400, slug: 'org-id-required', detail: () => 'Global keys must say which organisation: pass org_id.' },
  org_not_found: { status: 404, detail: (orgId) => `No organisation ${orgId}.` },
  // A key outside the caller's reach answers like an unknown one: another organisation's ids are not confirmed.
  key_not_in_reach: { status: 404, slug: 'key-not-found', detail: (keyId) => `No API key ${keyId} in your reach.` },
  invalid_domain: {
    status: 400,
    detail: (input) => `"${input}" is not a domain name (e.g. acme.com).`,
    errors: [{ field: 'domain', message: 'must be a domain name such as acme.com' }],
  },
};

const TITLES = { 400: 'Invalid request', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict' } as const;

export function refusalProblem(refusal: AccessRefusal, subject?: string): ProblemException {
  const problem = PROBLEMS[refusal];
  const slug = problem.slug ?? refusal.replace(/_/g, '-');
  return new ProblemException(problem.status, slug, TITLES[problem.status], problem.detail(subject), problem.errors ? { errors: problem.errors } : {});
}

/** The answer of a command, or its refusal thrown as the matching problem. */
export function answerOrProblem<T>(result: AccessResult<T>): T {
  if (!result.ok) throw refusalProblem(result.refusal, result.subject);
  return result.value;
}
