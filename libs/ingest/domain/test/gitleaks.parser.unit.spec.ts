import { ReportFormatError, parseGitleaks } from '../src';
import { fixtureJson } from './fixtures';

const GH = 'ghp_0000FAKE0000TEST0000FAKE0000TEST0000';

describe('parseGitleaks', () => {
  describe('v8 report', () => {
    const report = parseGitleaks(fixtureJson('gitleaks-v8.json'));

    it('turns every record into a finding, in order', () => {
      expect(report.rejected).toEqual([]);
      expect(report.findings.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(report.findings.map((f) => f.finding.secretType)).toEqual([
        'github-pat', 'aws-access-key', 'generic-api-key', 'stripe-secret-key', 'private-key', 'slack-token',
      ]);
    });

    it('maps a GitHub token finding with its location, and no identity (the committer is not the owner)', () => {
      expect(report.findings[0].finding).toEqual({
        kind: 'token',
        secret: GH,
        secretType: 'github-pat',
        verified: null,
        identity: null,
        site: null,
        location: {
          file: 'deploy/.env.production',
          line: 12,
          column: 14,
          commit: '9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6',
          author: 'Jane Developer',
          email: 'jane@acme.example',
          date: '2026-10-02T14:21:07Z',
          rule: 'github-pat',
          description: 'Uncovered a GitHub Personal Access Token, potentially leading to unauthorized repository access and sensitive content exposure.',
          fingerprint: '9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6:deploy/.env.production:github-pat:12',
          url: 'https://github.com/acme/payments/blob/9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6/deploy/.env.production#L12',
          entropy: 3.918,
        },
        source: { name: 'gitleaks' },
        maskedIdentity: null,
      });
    });

    it('never copies Match or the commit Message (both can hold the secret)', () => {
      const text = JSON.stringify(report.findings[0].finding.location);
      expect(text).not.toContain('GITHUB_TOKEN=');
      expect(text).not.toContain('rotate later');
    });

    it('drops empty strings and keeps tags, symlinks and multi-line ranges', () => {
      expect(report.findings[2].finding.location).toEqual({
        file: 'src/client/settings.ts', line: 41, column: 9, rule: 'generic-api-key',
        description: 'Detected a Generic API Key, potentially exposing access to various services and sensitive operations.',
        fingerprint: 'src/client/settings.ts:generic-api-key:41', entropy: 3.252,
      });
      expect(report.findings[1].finding.location?.['tags']).toBe('cloud');
      expect(report.findings[4].finding.location).toMatchObject({ file: 'ops/keys/deploy_id', symlinkFile: 'ops/keys/current', line: 1, endLine: 3 });
    });

    it('refines a generic rule by the value: a sk_live_ key caught by generic-api-key is a Stripe key', () => {
      expect(report.findings[3].finding).toMatchObject({ secret: 'sk_live_FAKE00000000000000000000', secretType: 'stripe-secret-key' });
    });

    it('a --redact finding is masked: no secret, identity from rule + file + line + commit', () => {
      expect(report.findings[5].finding).toMatchObject({
        secret: null,
        secretType: 'slack-token',
        maskedIdentity: 'gitleaks:slack-bot-token:infra/slack.env:5@1234567890abcdef1234567890abcdef12345678',
      });
    });

    it('a --redact=N partial value ("abc...") is masked too, never hashed as if it were the secret', () => {
      const parsed = parseGitleaks([{ RuleID: 'github-pat', Secret: 'ghp_00...', File: 'x.env', StartLine: 2 }]);
      expect(parsed.findings[0].finding).toMatchObject({ secret: null, maskedIdentity: 'gitleaks:github-pat:x.env:2' });
    });
  });

  describe('v7 report', () => {
    const report = parseGitleaks(fixtureJson('gitleaks-v7.json'));

    it('reads v7 keys: offender, rule description, repo, repoURL, leakURL, lineNumber', () => {
      expect(report.rejected).toEqual([]);
      expect(report.findings[0].finding).toEqual({
        kind: 'token',
        secret: 'AKIAI44QH8DHBEXAMPLE',
        secretType: 'aws-access-key',
        verified: null,
        identity: null,
        site: null,
        location: {
          repository: 'legacy-api',
          file: 'scripts/env.sh',
          line: 4,
          commit: 'b4e8a1f0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7',
          author: 'Old Timer',
          email: 'old.timer@acme.example',
          date: '2021-03-04T12:00:00Z',
          rule: 'AWS Access Key',
          url: 'https://github.com/acme/legacy-api/blob/b4e8a1f0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7/scripts/env.sh#L4',
          tags: 'key, AWS',
        },
        source: { name: 'gitleaks', url: 'https://github.com/acme/legacy-api' },
        maskedIdentity: null,
      });
    });

    it('normalises v7 rule descriptions and masks REDACTED offenders', () => {
      expect(report.findings[1].finding).toMatchObject({ secretType: 'slack-token', location: { entropy: 3.71 } });
      expect(report.findings[2].finding).toMatchObject({
        secret: null,
        secretType: 'generic-secret',
        maskedIdentity: 'gitleaks:Generic Credential:db.conf:2@d6a0c3b2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9',
      });
    });
  });

  describe('broken records', () => {
    const report = parseGitleaks(fixtureJson('gitleaks-v8-broken.json'));

    it('keeps the good records', () => {
      expect(report.findings.map((f) => [f.index, f.finding.secretType])).toEqual([
        [0, 'gitlab-pat'],
        [6, 'slack-webhook'],
      ]);
    });

    it('rejects each bad record with its index and a clear reason', () => {
      expect(report.rejected).toEqual([
        { index: 1, error: 'record 1: no Secret (or v7 offender) field' },
        { index: 2, error: 'record 2: not an object (got string)' },
        { index: 3, error: 'record 3: Secret must be a string (got number)' },
        { index: 4, error: 'record 4: StartLine must be a number (got string)' },
        { index: 5, error: 'record 5: not an object (got null)' },
        { index: 7, error: 'record 7: the secret is redacted and there is no File or Fingerprint to identify the finding' },
      ]);
    });

    it('never quotes a value in a rejection (it may be the secret)', () => {
      const parsed = parseGitleaks([{ Secret: ['ghp_9999FAKE9999TEST9999FAKE9999TEST9999'] }]);
      expect(parsed.rejected[0].error).toBe('record 0: Secret must be a string (got array)');
    });
  });

  it('an empty report has no findings', () => {
    expect(parseGitleaks([])).toEqual({ findings: [], rejected: [] });
  });

  it.each([
    [{ findings: [] }, 'object'],
    ['[]', 'string'],
    [null, 'null'],
  ])('a non-array report (%p) throws ReportFormatError', (input, type) => {
    expect(() => parseGitleaks(input)).toThrow(ReportFormatError);
    expect(() => parseGitleaks(input)).toThrow(`a gitleaks JSON report is an array of findings (gitleaks --report-format json); got ${type}`);
  });

  it('parses a large report (20,000 records) record by record', () => {
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      RuleID: i % 10 === 0 ? 'generic-api-key' : 'github-pat',
      Description: 'GitHub Personal Access Token',
      StartLine: i + 1, EndLine: i + 1, StartColumn: 1, EndColumn: 41,
      Match: `token=ghp_${String(i).padStart(36, '0')}`,
      Secret: i % 1000 === 999 ? undefined : `ghp_${String(i).padStart(36, '0')}`,
      File: `src/file-${i % 500}.ts`, SymlinkFile: '', Commit: 'c'.repeat(40), Entropy: 3.5,
      Author: 'Bulk', Email: 'bulk@acme.example', Date: '2026-01-01T00:00:00Z', Message: 'bulk', Tags: [],
      Fingerprint: `${'c'.repeat(40)}:src/file-${i % 500}.ts:github-pat:${i + 1}`,
    }));
    const parsed = parseGitleaks(records);
    expect(parsed.findings).toHaveLength(19_980);
    expect(parsed.rejected).toHaveLength(20);
    expect(parsed.rejected[0]).toEqual({ index: 999, error: 'record 999: no Secret (or v7 offender) field' });
    expect(parsed.findings[19_979].finding.secretType).toBe('github-pat');
    // The generic rule is refined by the ghp_ value.
    expect(parsed.findings[0].finding.secretType).toBe('github-pat');
  });
});
