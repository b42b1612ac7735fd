/**
 * The one rule every parser must keep: the plaintext lives in `finding.secret` only (the ingest service hashes it
 * and drops it). Not in location, source, maskedIdentity or anywhere else — checked over every fixture.
 */
import { ParsedReport, RawFinding, parseGithubSecretScanningAlert, parseGitleaks, parseSarif, parseTrufflehog } from '../src';
import { fixtureJson, fixtureNames, fixtureText } from './fixtures';

function parseFixture(name: string): RawFinding[] {
  const findings = (report: ParsedReport) => report.findings.map((f) => f.finding);
  if (name.endsWith('.ndjson')) return findings(parseTrufflehog(fixtureText(name)));
  if (name.endsWith('.sarif')) return findings(parseSarif(fixtureJson(name)));
  if (name.startsWith('gitleaks')) return findings(parseGitleaks(fixtureJson(name)));
  if (name.startsWith('github-alert')) {
    const parsed = parseGithubSecretScanningAlert(fixtureJson(name));
    if ('error' in parsed) throw new Error(`${name}: ${parsed.error}`);
    return [parsed.finding];
  }
  throw new Error(`no parser for fixture ${name}`);
}

/** The fake secrets planted in the fixtures, including those in rejected records and masked messages. */
const PLANTED = [
  'ghp_0000FAKE0000TEST0000FAKE0000TEST0000', 'ghp_1111FAKE1111TEST1111FAKE1111TEST1111', 'ghp_2222FAKE2222TEST2222FAKE2222TEST2222',
  'ghp_3333FAKE3333TEST3333FAKE3333TEST3333', 'ghp_4444FAKE4444TEST4444FAKE4444TEST4444',
  'AKIAIOSFODNN7EXAMPLE', 'AKIAI44QH8DHBEXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'xoxb-000000000000-0000000000000-FAKEfakeFAKEfakeFAKEfake', 'sk_live_FAKE00000000000000000000', 'sk_live_FAKE11111111111111111111',
  'rk_live_FAKE00000000000000000000', 'glpat-FAKE0000000000000000', 'glpat-FAKE1111111111111111', 'fake0000notarealkey0000example',
  'b3BlbnNzaC1rZXktdjEAAAAAFAKEFAKEFAKEFAKE', 'FAKEFAKEFAKEFAKEFAKEFAKE',
];

describe('no parser copies a secret outside RawFinding.secret', () => {
  const fixtures = fixtureNames();

  it('has fixtures for every format', () => {
    expect(fixtures.filter((n) => n.endsWith('.ndjson')).length).toBeGreaterThan(0);
    expect(fixtures.filter((n) => n.endsWith('.sarif')).length).toBeGreaterThan(0);
    expect(fixtures.filter((n) => n.startsWith('gitleaks') && n.endsWith('.json')).length).toBeGreaterThan(0);
    expect(fixtures.filter((n) => n.startsWith('github-alert')).length).toBeGreaterThan(0);
  });

  it.each(fixtureNames())('%s: JSON of every finding minus `secret` contains neither its own secret nor any planted one', (name) => {
    const findings = parseFixture(name);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      const { secret, ...rest } = finding;
      const text = JSON.stringify(rest);
      if (secret !== null) expect(text).not.toContain(secret);
      for (const planted of PLANTED) expect(text).not.toContain(planted);
    }
  });

  it.each(fixtureNames().filter((n) => !n.startsWith('github-alert')))('%s: rejection reasons quote no secret either', (name) => {
    const report = name.endsWith('.ndjson')
      ? parseTrufflehog(fixtureText(name))
      : name.endsWith('.sarif') ? parseSarif(fixtureJson(name)) : parseGitleaks(fixtureJson(name));
    const text = JSON.stringify(report.rejected);
    for (const planted of PLANTED) expect(text).not.toContain(planted);
  });
});
