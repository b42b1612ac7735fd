import { ReportFormatError, parseSarif } from '../src';
import { fixtureJson } from './fixtures';

describe('parseSarif', () => {
  describe('gitleaks --report-format sarif', () => {
    const report = parseSarif(fixtureJson('gitleaks.sarif'));

    it('reads the secret from region.snippet.text and commit data from partialFingerprints', () => {
      expect(report.rejected).toEqual([]);
      expect(report.findings[0]).toEqual({
        index: 0,
        finding: {
          kind: 'token',
          secret: 'ghp_0000FAKE0000TEST0000FAKE0000TEST0000',
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
          },
          source: { name: 'gitleaks' },
          maskedIdentity: null,
        },
      });
    });

    it('empty partialFingerprints are dropped, tags kept', () => {
      expect(report.findings[1].finding).toMatchObject({
        secret: 'AKIAIOSFODNN7EXAMPLE',
        secretType: 'aws-access-key',
        location: { file: 'config/aws.ini', line: 3, column: 19, rule: 'aws-access-token', tags: 'cloud' },
      });
      expect(report.findings[1].finding.location).not.toHaveProperty('commit');
    });

    it('a REDACTED snippet is masked with the same identity as the same finding in gitleaks JSON', () => {
      expect(report.findings[2].finding).toMatchObject({
        secret: null,
        secretType: 'slack-token',
        maskedIdentity: 'gitleaks:slack-bot-token:infra/slack.env:5@1234567890abcdef1234567890abcdef12345678',
      });
    });
  });

  describe('secretlint (@secretlint/secretlint-formatter-sarif)', () => {
    const report = parseSarif(fixtureJson('secretlint.sarif'));

    it('masked results still become findings: secret null, identity from rule + uri + line', () => {
      expect(report.rejected).toEqual([]);
      expect(report.findings.map((f) => [f.index, f.finding.secretType, f.finding.secret, f.finding.maskedIdentity])).toEqual([
        [0, 'github-pat', null, 'secretlint:@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-github:deploy/.env.production:12'],
        [1, 'aws-access-key', null, 'secretlint:@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-aws:config/aws.ini:3'],
        [2, 'private-key', null, 'secretlint:@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-privatekey:ops/keys/deploy_id:1'],
      ]);
      expect(report.findings[0].finding).toMatchObject({
        source: { name: 'secretlint' },
        verified: null,
        location: { file: 'deploy/.env.production', line: 12, column: 14, rule: '@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-github' },
      });
    });

    it('never copies the message (secretlint prints the secret there when masking is off)', () => {
      const unmasked = {
        version: '2.1.0',
        runs: [{
          tool: { driver: { name: 'secretlint' } },
          results: [{
            ruleId: '@secretlint/secretlint-rule-github',
            message: { text: '[GITHUB_TOKEN] found GitHub Token(Personal Access Tokens): ghp_6666FAKE6666TEST6666FAKE6666TEST6666' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'a.env' }, region: { startLine: 1 } } }],
          }],
        }],
      };
      const finding = parseSarif(unmasked).findings[0].finding;
      expect(JSON.stringify(finding)).not.toContain('ghp_6666');
      expect(finding.secret).toBeNull();
    });

    it('the same masked finding re-ingested gets the same identity', () => {
      const again = parseSarif(fixtureJson('secretlint.sarif'));
      expect(again.findings.map((f) => f.finding.maskedIdentity)).toEqual(report.findings.map((f) => f.finding.maskedIdentity));
    });
  });

  describe('several runs, several tools, broken results', () => {
    const report = parseSarif(fixtureJson('sarif-mixed-broken.sarif'));

    it('indexes results across all runs and keeps the good ones', () => {
      expect(report.findings.map((f) => [f.index, f.finding.source.name, f.finding.secretType])).toEqual([
        [0, 'gitleaks', 'gitlab-pat'],
        [4, 'secretlint', 'slack-token'],
        [6, 'trufflehog', 'aws-access-key'],
        [7, 'sarif:semgrep-oss', 'generic-secret'],
      ]);
    });

    it('rejects each bad result with its running index and reason', () => {
      expect(report.rejected).toEqual([
        { index: 1, error: 'result 1: not an object (got string)' },
        { index: 2, error: 'result 2: no ruleId (nor rule.id, nor a ruleIndex into tool.driver.rules)' },
        { index: 3, error: 'result 3: region.startLine must be a number (got string)' },
        { index: 5, error: 'result 5: the secret is masked and the result has no location (artifactLocation.uri) to identify it' },
      ]);
    });

    it('uses versionControlProvenance for the source url and the commit', () => {
      expect(report.findings[0].finding).toMatchObject({
        secret: 'glpat-FAKE0000000000000000',
        source: { name: 'gitleaks', url: 'https://github.com/acme/payments' },
        location: { file: '.gitlab-ci.yml', line: 2, commit: '4c3d2e1f0a9b8c7d69f1c2d3e4b5a69788796a5b' },
      });
    });

    it('resolves a rule by ruleIndex', () => {
      expect(report.findings[1].finding).toMatchObject({
        secret: null,
        location: { rule: '@secretlint/secretlint-rule-slack', file: 'chat/bot.js', line: 7 },
        maskedIdentity: 'secretlint:@secretlint/secretlint-rule-slack:chat/bot.js:7',
      });
    });

    it("reads TruffleHog's verification from its SARIF and keeps its fingerprint", () => {
      expect(report.findings[2].finding).toMatchObject({
        verified: true,
        secret: null,
        location: { fingerprint: '5f0c4ad4a0a3e7c1d2b3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5' },
      });
    });

    it("does not take another tool's snippet (the source line) for the secret", () => {
      expect(report.findings[3].finding).toMatchObject({ secret: null, maskedIdentity: 'sarif:semgrep-oss:generic.secrets.security.detected-generic-secret:app/config.py:10' });
    });
  });

  it('a run without results contributes nothing', () => {
    expect(parseSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 'gitleaks' } } }] })).toEqual({ findings: [], rejected: [] });
  });

  it.each([
    [[], 'a SARIF log is a JSON object with "version": "2.1.0" and "runs"; got array'],
    [{ version: '2.1.0' }, 'a SARIF log needs a "runs" array; got undefined'],
    [{ version: '1.0.0', runs: [] }, 'unsupported SARIF version "1.0.0"; expected "2.1.0"'],
    [{ version: '2.1.0', runs: ['x'] }, 'runs[0] is not an object (got string)'],
    [{ version: '2.1.0', runs: [{ results: {} }] }, 'runs[0].results is not an array (got object)'],
  ])('throws ReportFormatError for a log that is not SARIF 2.1.0 (%#)', (input, message) => {
    expect(() => parseSarif(input)).toThrow(ReportFormatError);
    expect(() => parseSarif(input)).toThrow(message);
  });
});
