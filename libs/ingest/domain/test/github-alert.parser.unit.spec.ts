import { parseGithubSecretScanningAlert } from '../src';
import { fixtureJson } from './fixtures';

type Payload = Record<string, unknown> & { alert: Record<string, unknown>; repository: Record<string, unknown> };
const created = () => fixtureJson('github-alert-created.json') as Payload;

describe('parseGithubSecretScanningAlert', () => {
  it('a created alert without the secret is a masked finding identified by repo + alert number', () => {
    expect(parseGithubSecretScanningAlert(created())).toEqual({
      action: 'created',
      alertNumber: 42,
      repository: 'acme/payments',
      resolution: null,
      validity: 'unknown',
      finding: {
        kind: 'token',
        secret: null,
        secretType: 'github-pat',
        verified: null,
        identity: null,
        site: null,
        location: {
          repository: 'acme/payments',
          alertNumber: 42,
          url: 'https://github.com/acme/payments/security/secret-scanning/42',
          rule: 'github_personal_access_token',
          description: 'GitHub Personal Access Token',
          date: '2026-10-02T14:25:31Z',
          visibility: 'private',
        },
        source: { name: 'github', url: 'https://github.com/acme/payments' },
        maskedIdentity: 'github:acme/payments#42',
      },
    });
  });

  it('a resolved alert maps to the same identity and carries the resolution; inactive = not verified', () => {
    const parsed = parseGithubSecretScanningAlert(fixtureJson('github-alert-resolved.json'));
    expect(parsed).toMatchObject({
      action: 'resolved',
      resolution: 'revoked',
      validity: 'inactive',
      finding: { maskedIdentity: 'github:acme/payments#42', verified: false },
    });
  });

  it('a validated alert with the secret: active = verified, publicly leaked = public, no masked identity', () => {
    const parsed = parseGithubSecretScanningAlert(fixtureJson('github-alert-validated-with-secret.json'));
    expect(parsed).toMatchObject({
      action: 'validated',
      alertNumber: 7,
      repository: 'acme/public-site',
      validity: 'active',
      finding: {
        secret: 'AKIAIOSFODNN7EXAMPLE',
        secretType: 'aws-access-key',
        verified: true,
        location: { visibility: 'public', rule: 'aws_access_key_id' },
        maskedIdentity: null,
      },
    });
  });

  it('reopened is accepted; the legacy revoked action is a resolution by revocation', () => {
    expect(parseGithubSecretScanningAlert({ ...created(), action: 'reopened' })).toMatchObject({ action: 'reopened' });
    expect(parseGithubSecretScanningAlert({ ...created(), action: 'revoked' })).toMatchObject({ action: 'resolved', resolution: 'revoked' });
  });

  it.each<[string, (p: Payload) => unknown, string]>([
    ['not an object', () => 'created', 'a secret_scanning_alert payload is a JSON object; got string'],
    ['unsupported action', (p) => ({ ...p, action: 'assigned' }), 'unsupported action "assigned"; expected one of created, resolved, reopened, validated'],
    ['no action', (p) => ({ ...p, action: undefined }), 'no action'],
    ['no alert', (p) => ({ ...p, alert: undefined }), 'no alert object'],
    ['alert not an object', (p) => ({ ...p, alert: [] }), 'alert must be an object (got array)'],
    ['no repository', (p) => ({ ...p, repository: null }), 'no repository object'],
    ['number as text', (p) => ({ ...p, alert: { ...p.alert, number: '42' } }), 'alert.number must be a number (got string)'],
    ['number zero', (p) => ({ ...p, alert: { ...p.alert, number: 0 } }), 'alert.number must be a positive integer'],
    ['number above 2^31', (p) => ({ ...p, alert: { ...p.alert, number: 2 ** 31 } }), 'alert.number must be below 2^31'],
    ['no secret_type', (p) => ({ ...p, alert: { ...p.alert, secret_type: undefined } }), 'no alert.secret_type'],
    ['no full_name', (p) => ({ ...p, repository: { ...p.repository, full_name: '' } }), 'no repository.full_name'],
    ['secret not a string', (p) => ({ ...p, alert: { ...p.alert, secret: 12 } }), 'alert.secret must be a string (got number)'],
  ])('refuses a payload with %s', (_name, mutate, error) => {
    expect(parseGithubSecretScanningAlert(mutate(created()))).toEqual({ error });
  });
});
