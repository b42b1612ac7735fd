/** Domain refusals → HTTP problems (the only place that knows both). */
import { ProblemException } from '@leakwatch/runtime';
import type { ApiKeyRefusal, DomainRefusal, OrganizationRefusal } from '@leakwatch/access-control/domain';

const PROBLEMS: Record<ApiKeyRefusal | DomainRefusal | OrganizationRefusal, [number, string]> = {
  organization_exists: [409, 'The organisation already exists.'],
  invalid_name: [400, 'The name must not be empty.'],
  key_exists: [409, 'An API key with this id already exists.'],
  key_not_found: [404, 'No such API key.'],
  key_revoked: [409, 'The API key is revoked; issue a new one instead.'],
  invalid_limit: [400, 'limit must be a positive integer (requests per day).'],
  expiry_in_past: [400, 'expires_at must be in the future.'],
  org_required: [400, 'org_id is required for the roles admin and analyst.'],
  global_role_with_org: [400, 'Global roles belong to no organisation: omit org_id.'],
  already_claimed: [409, 'The domain is already claimed and waiting for verification.'],
  already_verified: [409, 'The domain is already verified; re-verify it to extend the verification.'],
  domain_not_claimed: [404, 'The domain has not been claimed by this organisation.'],
  domain_revoked: [409, 'The domain claim was revoked; claim it again.'],
};

export function refusalProblem(refusal: keyof typeof PROBLEMS): ProblemException {
  const [status, detail] = PROBLEMS[refusal];
  return new ProblemException(status, refusal.replace(/_/g, '-'), status === 404 ? 'Not found' : status === 409 ? 'Conflict' : 'Invalid request', detail);
}
