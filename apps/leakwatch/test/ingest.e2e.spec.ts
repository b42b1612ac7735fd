/**
 * Scanner reports through the API as a user sends them: each format, broken records kept apart,
 * re-ingest gives duplicates, limits answer 413/400 and store nothing, and no planted secret reaches
 * the database or the logs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseGitleaks, parseSarif, parseTrufflehog } from '@leakwatch/ingest/domain';
import { E2e, startE2e } from './support/e2e-harness';
import { dumpEmbeddedDatabase } from './support/leakwatch-process';
import { storedEventCounts } from './support/stored-events';
import { eventually } from '@leakwatch/testing';

const fixtures = path.resolve(__dirname, '../../../libs/ingest/domain/test/fixtures');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

/** Every secret the fixtures plant (what must never be stored or logged). */
function plantedSecrets(): string[] {
  const reports = [
    parseGitleaks(JSON.parse(fixture('gitleaks-v8.json'))),
    parseGitleaks(JSON.parse(fixture('gitleaks-v7.json'))),
    parseGitleaks(JSON.parse(fixture('gitleaks-v8-broken.json'))),
    parseTrufflehog(fixture('trufflehog.ndjson')),
    parseSarif(JSON.parse(fixture('gitleaks.sarif'))),
  ];
  return [...new Set(reports.flatMap((r) => r.findings.map((f) => f.finding.secret).filter((s): s is string => !!s && s.length >= 8)))];
}

describe('report ingest (e2e)', () => {
  let e2e: E2e;
  let admin: string;
  let analyst: string;

  const post = async (path: string, body: string, key = admin, type = 'application/json') => {
    const response = await fetch(`${e2e.app.url}${path}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': type }, body });
    return { status: response.status, body: (await response.json()) as any };
  };
  const get = async (path: string): Promise<any> => (await fetch(`${e2e.app.url}${path}`, { headers: { "x-api-key": admin } })).json();

  beforeAll(async () => {
    e2e = await startE2e({ LEAKWATCH_INGEST_MAX_BYTES: String(256 * 1024), LEAKWATCH_INGEST_MAX_RECORDS: '1000', LOG_LEVEL: 'debug' });
    const acme = await e2e.organisation('Acme', { admin: { role: 'admin' }, analyst: { role: 'analyst' } });
    [admin, analyst] = [acme.keys.admin, acme.keys.analyst];
  }, 90_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  it('gitleaks v8: every finding accepted; re-ingest gives duplicates', async () => {
    const report = fixture('gitleaks-v8.json');
    const count = JSON.parse(report).length;
    const first = await post('/api/v1/ingest/gitleaks', report);
    expect(first).toMatchObject({ status: 202, body: { batch_id: expect.any(String), accepted: count, rejected: [] } });
    const again = await post('/api/v1/ingest/gitleaks', report);
    expect(again.body).toMatchObject({ accepted: count, duplicates: count, rejected: [] });
  });

  it('gitleaks with broken records keeps the good ones and names each bad one by index', async () => {
    const report = JSON.parse(fixture('gitleaks-v8-broken.json'));
    const expected = parseGitleaks(report);
    const response = await post('/api/v1/ingest/gitleaks', JSON.stringify(report));
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(expected.findings.length);
    expect(response.body.rejected.map((r: { index: number }) => r.index)).toEqual(expected.rejected.map((r) => r.index));
    expect(response.body.rejected.every((r: { error: string }) => r.error.length > 5 && !/^record \d/.test(r.error))).toBe(true);
  });

  it('gitleaks v7 keys, TruffleHog NDJSON (with a broken line) and SARIF are accepted', async () => {
    expect((await post('/api/v1/ingest/gitleaks', fixture('gitleaks-v7.json'))).status).toBe(202);
    const truffle = await post('/api/v1/ingest/trufflehog', fixture('trufflehog-broken.ndjson'), admin, 'application/x-ndjson');
    const expected = parseTrufflehog(fixture('trufflehog-broken.ndjson'));
    expect(truffle).toMatchObject({ status: 202, body: { accepted: expected.findings.length } });
    expect(truffle.body.rejected.map((r: { index: number }) => r.index)).toEqual(expected.rejected.map((r) => r.index));
    expect(await post('/api/v1/ingest/sarif', fixture('gitleaks.sarif'))).toMatchObject({ status: 202, body: { rejected: [] } });
  });

  it('secretlint SARIF (masked secrets) becomes leaks that cannot be blocked', async () => {
    const response = await post('/api/v1/ingest/sarif', fixture('secretlint.sarif'));
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBeGreaterThan(0);
    const masked: Array<{ leakid: string; blockable: boolean; fingerprint: string | null }> = await eventually(
      'the secretlint leaks are listed',
      async () => (await get('/api/v1/leaks?source=secretlint&limit=100')).items,
      (items) => items.length > 0,
    );
    expect(masked.every((l) => l.blockable === false && l.fingerprint === null)).toBe(true);
    const patch = await fetch(`${e2e.app.url}/api/v1/leaks/virtual-patch`, {
      method: 'POST', headers: { 'x-api-key': admin, 'content-type': 'application/json' }, body: JSON.stringify({ leakid: masked[0].leakid, enabled: true }),
    });
    expect(patch.status).toBe(409);
  });

  it('refuses malformed reports, analysts, and reports over the limits — storing nothing', async () => {
    // Findings are stored only by an accepted request (one statement publishes a report's staged findings before
    // its 202), so the store's finding events right after a refusal are the proof: no waiting needed. (Leaks from
    // earlier reports may still be appearing meanwhile; they are not what this test is about.)
    const findingEvents = async () => (await storedEventCounts(e2e.app.dataDir)).finding ?? 0;
    const before = await findingEvents();
    expect(before).toBeGreaterThan(0); // earlier tests ingested reports: the count is of the right thing
    expect(await post('/api/v1/ingest/gitleaks', '{"not": "an array"}')).toMatchObject({ status: 400 });
    expect(await post('/api/v1/ingest/gitleaks', '[{"RuleID": "x", "Secret": "abc')).toMatchObject({ status: 400 });
    expect(await post('/api/v1/ingest/sarif', '{"version": "1.0"}')).toMatchObject({ status: 400 });
    expect(await post('/api/v1/ingest/gitleaks', fixture('gitleaks-v8.json'), analyst)).toMatchObject({ status: 403 });

    const record = JSON.parse(fixture('gitleaks-v8.json'))[0];
    // Small records, so the count limit (1000) is hit well before the byte limit (256 KiB).
    const tooMany = JSON.stringify(Array.from({ length: 1001 }, (_, i) => ({ RuleID: 'github-pat', File: 'a.env', Secret: `ghp_${String(i).padStart(36, '0')}` })));
    expect(await post('/api/v1/ingest/gitleaks', tooMany)).toMatchObject({ status: 400, body: { type: expect.stringContaining('too-many-records') } });
    const tooBig = JSON.stringify(Array.from({ length: 900 }, () => ({ ...record, Description: 'x'.repeat(400) })));
    expect(await post('/api/v1/ingest/gitleaks', tooBig)).toMatchObject({ status: 413 });
    expect(await findingEvents()).toBe(before);
  });

  it('no planted secret is in the database or the logs', async () => {
    const secrets = plantedSecrets();
    expect(secrets.length).toBeGreaterThan(5);
    const dump = await dumpEmbeddedDatabase(e2e.app.dataDir);
    const logs = e2e.app.output();
    for (const secret of secrets) {
      expect(dump.includes(secret) ? secret : null).toBeNull();
      expect(logs.includes(secret) ? secret : null).toBeNull();
    }
  });
});
