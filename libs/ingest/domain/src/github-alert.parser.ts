/**
 * GitHub `secret_scanning_alert` webhook payloads (`X-GitHub-Event: secret_scanning_alert`):
 * `{ action, alert: { number, secret_type, secret_type_display_name, secret?, validity?, resolution?, html_url,
 *    created_at, publicly_leaked?, ... }, repository: { full_name, html_url, private, ... }, organization?, sender? }`.
 * Webhooks do not carry the secret (the REST API does, and a relay may add it): without it the finding is masked
 * and identified as `github:<owner/repo>#<alert number>`, so `resolved`/`reopened` map to the leak `created` made.
 * Signature verification (`X-Hub-Signature-256`) is the HTTP edge's job, not this parser's.
 */
import { FieldReader, isRecord, jsonTypeOf } from './json-fields';
import { buildLocation, isMaskedValue, safeUrl } from './masking';
import { RawFinding } from './raw-finding';
import { normaliseSecretType } from './secret-type';

export const GITHUB = 'github';

export type GithubAlertAction = 'created' | 'resolved' | 'reopened' | 'validated';

export interface GithubSecretScanningAlert {
  action: GithubAlertAction;
  alertNumber: number;
  /** `owner/repo`. */
  repository: string;
  finding: RawFinding;
  /** `false_positive`, `wont_fix`, `revoked`, `used_in_tests`, `pattern_deleted`, `pattern_edited`, or null. */
  resolution?: string | null;
  /** `active`, `inactive`, `unknown`. */
  validity?: string | null;
}

export type GithubAlertParseResult = GithubSecretScanningAlert | { error: string };

const ACTIONS: ReadonlySet<string> = new Set<GithubAlertAction>(['created', 'resolved', 'reopened', 'validated']);

export function githubMaskedIdentity(repository: string, alertNumber: number): string {
  return `${GITHUB}:${repository}#${alertNumber}`;
}

export function parseGithubSecretScanningAlert(payload: unknown): GithubAlertParseResult {
  if (!isRecord(payload)) return { error: `a secret_scanning_alert payload is a JSON object; got ${jsonTypeOf(payload)}` };
  const p = new FieldReader(payload);
  const rawAction = p.string('action');
  const alert = p.object('alert');
  const repo = p.object('repository');
  if (p.errors.length > 0) return { error: p.errors.join('; ') };
  if (rawAction === undefined) return { error: 'no action' };
  // `revoked` is the pre-2023 name of a resolution by revocation.
  const action = rawAction === 'revoked' ? 'resolved' : rawAction;
  if (!ACTIONS.has(action)) return { error: `unsupported action ${JSON.stringify(rawAction)}; expected one of created, resolved, reopened, validated` };
  if (!alert) return { error: 'no alert object' };
  if (!repo) return { error: 'no repository object' };

  const a = new FieldReader(alert, 'alert.');
  const r = new FieldReader(repo, 'repository.');
  const alertNumber = a.number('number');
  const secretTypeId = a.string('secret_type');
  const displayName = a.string('secret_type_display_name');
  const rawSecret = a.string('secret');
  const validity = a.string('validity');
  const resolution = a.string('resolution');
  const htmlUrl = a.string('html_url');
  const createdAt = a.string('created_at');
  const publiclyLeaked = a.boolean('publicly_leaked');
  const fullName = r.string('full_name');
  const repoUrl = r.string('html_url');
  const isPrivate = r.boolean('private');
  const errors = [...a.errors, ...r.errors];
  if (errors.length > 0) return { error: errors.join('; ') };
  if (alertNumber === undefined || !Number.isInteger(alertNumber) || alertNumber < 1) return { error: 'alert.number must be a positive integer' };
  // Stored as a PostgreSQL integer (a larger one was a 500): no alert GitHub sent.
  if (alertNumber > 2_147_483_647) return { error: 'alert.number must be below 2^31' };
  if (!secretTypeId) return { error: 'no alert.secret_type' };
  if (!fullName) return { error: 'no repository.full_name' };

  const secret = rawSecret !== undefined && !isMaskedValue(rawSecret) ? rawSecret : null;
  const finding: RawFinding = {
    kind: 'token',
    secret,
    secretType: normaliseSecretType(secretTypeId),
    verified: validity === 'active' ? true : validity === 'inactive' ? false : null,
    identity: null,
    site: null,
    location: buildLocation(
      {
        repository: fullName,
        alertNumber,
        url: htmlUrl,
        rule: secretTypeId,
        description: displayName,
        date: createdAt,
        // A secret GitHub saw leaked publicly elsewhere is public whatever the repository is.
        visibility: publiclyLeaked === true ? 'public' : isPrivate === undefined ? undefined : isPrivate ? 'private' : 'public',
      },
      secret,
    ),
    source: withUrl(GITHUB, safeUrl(repoUrl, secret)),
    maskedIdentity: secret === null ? githubMaskedIdentity(fullName, alertNumber) : null,
  };
  return {
    action: action as GithubAlertAction,
    alertNumber,
    repository: fullName,
    finding,
    resolution: resolution ?? (rawAction === 'revoked' ? 'revoked' : null),
    validity: validity ?? null,
  };
}

function withUrl(name: string, url: string | undefined): { name: string; url?: string } {
  return url ? { name, url } : { name };
}
