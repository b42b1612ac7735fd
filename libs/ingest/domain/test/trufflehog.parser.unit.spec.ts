import { ReportFormatError, parseTrufflehog } from '../src';
import { fixtureText } from './fixtures';

describe('parseTrufflehog', () => {
  describe('NDJSON from trufflehog --json', () => {
    const report = parseTrufflehog(fixtureText('trufflehog.ndjson'));

    it('one finding per non-blank line; the index counts non-blank lines only', () => {
      expect(report.rejected).toEqual([]);
      expect(report.findings.map((f) => [f.index, f.finding.secretType, f.finding.verified])).toEqual([
        [0, 'aws-access-key', true],
        [1, 'github-pat', false],
        [2, 'slack-token', true],
        [3, 'slack-webhook', false],
      ]);
    });

    it('maps a git source: Raw is the secret, location from SourceMetadata.Data.Git, author split from email', () => {
      expect(report.findings[0].finding).toEqual({
        kind: 'token',
        secret: 'AKIAIOSFODNN7EXAMPLE',
        secretType: 'aws-access-key',
        verified: true,
        identity: null,
        site: null,
        location: {
          sourceType: 'git',
          commit: '77b2a3e56973785a52ba4ae4b8dac61d4bac016f',
          file: 'keys',
          email: 'sam@acme.example',
          author: 'Sam Ops',
          repository: 'https://github.com/acme/infra',
          date: '2026-06-16 10:27:56 -0700 -0700',
          line: 3,
          detector: 'AWS',
          sourceName: 'trufflehog - git',
        },
        source: { name: 'trufflehog', url: 'https://github.com/acme/infra' },
        maskedIdentity: null,
      });
    });

    it('never copies Redacted, RawV2 or ExtraData (for AWS, Redacted is the key itself)', () => {
      const text = JSON.stringify(report.findings[0].finding.location);
      expect(text).not.toContain('wJalrXUtnFEMI');
      expect(text).not.toContain('arn:aws');
    });

    it('maps a github source: link becomes url, numeric visibility is named, a non-PLAIN decoder is kept', () => {
      expect(report.findings[1].finding.location).toEqual({
        sourceType: 'github',
        url: 'https://github.com/acme/payments/blob/4c3d2e1f0a9b8c7d69f1c2d3e4b5a69788796a5b/src/github.ts#L8',
        repository: 'https://github.com/acme/payments.git',
        commit: '4c3d2e1f0a9b8c7d69f1c2d3e4b5a69788796a5b',
        email: 'jane@acme.example',
        author: 'Jane Developer',
        file: 'src/github.ts',
        date: '2026-10-01 09:00:00 +0000',
        line: 8,
        visibility: 'private',
        detector: 'Github',
        decoder: 'BASE64',
        sourceName: 'trufflehog - github',
      });
    });

    it('maps a filesystem source (no repository, so no source url)', () => {
      expect(report.findings[2].finding).toMatchObject({
        location: { sourceType: 'filesystem', file: '/srv/app/.env', line: 2, detector: 'Slack' },
        source: { name: 'trufflehog' },
      });
    });

    it('drops a location value that contains the secret', () => {
      const line = JSON.stringify({
        SourceMetadata: { Data: { Filesystem: { file: 'ghp_5555FAKE5555TEST5555FAKE5555TEST5555.txt', line: 1 } } },
        DetectorName: 'Github', Verified: false, Raw: 'ghp_5555FAKE5555TEST5555FAKE5555TEST5555',
      });
      expect(parseTrufflehog(line).findings[0].finding.location).toEqual({ sourceType: 'filesystem', line: 1, detector: 'Github' });
    });
  });

  describe('broken lines', () => {
    const report = parseTrufflehog(fixtureText('trufflehog-broken.ndjson'));

    it('keeps the good lines', () => {
      expect(report.findings.map((f) => [f.index, f.finding.secretType, f.finding.verified])).toEqual([
        [0, 'stripe-secret-key', false],
        [5, 'gitlab-pat', true],
      ]);
      expect(report.findings[1].finding.location).toMatchObject({ sourceType: 'gitlab', url: 'https://gitlab.com/acme/ci/blob/aa00bb11cc22dd33ee44ff5566778899aabbccdd/ci/vars.yml#L3' });
    });

    it('rejects each bad line with its (non-blank) index and a reason that never quotes the line', () => {
      expect(report.rejected).toEqual([
        { index: 1, error: 'line 1: not valid JSON' },
        { index: 2, error: 'line 2: not a JSON object (got array)' },
        { index: 3, error: 'line 3: no Raw field (the secret)' },
        { index: 4, error: 'line 4: Verified must be a boolean (got string)' },
      ]);
    });
  });

  it('accepts CRLF line ends, leading/trailing blank lines, and an empty output', () => {
    const line = JSON.stringify({ DetectorName: 'JWT', Raw: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJmYWtlLXVzZXIifQ.', Verified: false });
    expect(parseTrufflehog(`\r\n${line}\r\n\r\n${line}\r\n`).findings.map((f) => f.index)).toEqual([0, 1]);
    expect(parseTrufflehog('')).toEqual({ findings: [], rejected: [] });
  });

  it('a missing Verified is unknown (null), not false', () => {
    expect(parseTrufflehog(JSON.stringify({ DetectorName: 'Stripe', Raw: 'sk_live_FAKE00000000000000000000' })).findings[0].finding.verified).toBeNull();
  });

  it('throws ReportFormatError when the input is not text', () => {
    expect(() => parseTrufflehog([{ Raw: 'x' }] as unknown as string)).toThrow(ReportFormatError);
  });
});
