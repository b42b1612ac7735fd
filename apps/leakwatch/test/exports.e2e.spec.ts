/**
 * Exports and the audit log over real HTTP against `npm start`'s process:
 * - GET /api/v1/leaks/export streams every visible leak (5,000 here) as CSV or NDJSON with the list's filters;
 * - CSV is RFC 4180 with a header row and formula-like cells defused; no secret value is ever in it;
 * - GET /api/v1/audit/events streams the events of visible leaks only: org B never sees org A's, and back;
 * - `leakwatch audit events` writes the same log to a file, with a count on stderr.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../..');
const fakeToken = () => `ghp_${randomBytes(18).toString('hex')}`;
const BIG = 5_000;

/** RFC 4180 parser (quoted cells, doubled quotes, CRLF), strict enough to catch bad quoting. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') {
      if (cell !== '') throw new Error(`quote inside an unquoted cell at ${i}`);
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (quoted) throw new Error('unterminated quoted cell');
  if (cell !== '' || row.length) throw new Error('last row not terminated by CRLF');
  return rows;
}

describe('exports and audit log (e2e)', () => {
  let e2e: E2e;
  let orgA: string, orgB: string, adminA: string, adminB: string, analystB: string;
  const leaksA: string[] = [];
  const leaksB: string[] = [];
  const tokens: string[] = [];
  let tmp: string;

  const call: E2e['call'] = (...args) => e2e.call(...args);
  const raw = async (pathAndQuery: string, key: string) => {
    const response = await fetch(`${e2e.app.url}${pathAndQuery}`, { headers: { 'x-api-key': key } });
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
  };
  const ndjson = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const add = async (key: string, values: string[], source: string) => {
    const response = await call('POST', '/api/v1/leaks', key, { source: { name: source }, tokens: values.map((value) => ({ value })) });
    expect(response).toMatchObject({ status: 201, body: { created: values.length } });
    return response.body.leakids as string[];
  };

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-export-'));
    e2e = await startE2e();
    orgA = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' })).body.org_id;
    orgB = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    const issue = async (org: string, role: string) => (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: role, role, org_id: org, limit: 100_000 })).body.key as string;
    adminA = await issue(orgA, 'admin');
    adminB = await issue(orgB, 'admin');
    analystB = await issue(orgB, 'analyst');
    for (let i = 0; i < BIG / 1000; i++) {
      const batch = Array.from({ length: 1000 }, fakeToken);
      tokens.push(...batch);
      leaksA.push(...(await add(adminA, batch, 'pastebin')));
    }
    const bTokens = Array.from({ length: 3 }, fakeToken);
    tokens.push(...bTokens);
    // A source name a spreadsheet would run as a formula, with a comma and quotes that need CSV quoting.
    leaksB.push(...(await add(adminB, bTokens, '=HYPERLINK("http://evil.example","x"), 1')));
    await eventually('org A leaks listed', async () => (await call('GET', '/api/v1/leaks?limit=1', adminA)).body.total, (n) => n === BIG, { timeoutMs: 60_000 });
    await eventually('org B leaks listed', async () => (await call('GET', '/api/v1/leaks?limit=1', adminB)).body.total, (n) => n === 3, { timeoutMs: 60_000 });
    expect((await call('POST', '/api/v1/leaks/status', adminB, { leakid: leaksB[0], status: 'fixed', comment: 'rotated' })).status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    if (e2e) await e2e.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it(`exports all ${BIG} of org A's leaks as CSV: header row, one row per leak, nothing of org B, no secret`, async () => {
    const response = await raw('/api/v1/leaks/export?format=csv', adminA);
    expect(response.status).toBe(200);
    expect(response.type).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(response.text);
    expect(header.slice(0, 3)).toEqual(['leakid', 'type', 'kind']);
    expect(rows).toHaveLength(BIG);
    const col = (name: string) => header.indexOf(name);
    expect(new Set(rows.map((r) => r[col('leakid')]))).toEqual(new Set(leaksA));
    expect(rows.every((r) => r.length === header.length && r[col('org_id')] === orgA && r[col('type')] === 'organization' && r[col('status')] === 'open')).toBe(true);
    // Newest first, like the list.
    const firstSeen = rows.map((r) => r[col('first_seen')]);
    expect([...firstSeen].sort().reverse()).toEqual(firstSeen);
    for (const token of tokens.slice(0, 200)) expect(response.text).not.toContain(token);
    expect(leaksB.some((id) => response.text.includes(id))).toBe(false);
  }, 60_000);

  it('exports NDJSON with the list item shape and applies the filters (status, q) like the list', async () => {
    const all = await raw('/api/v1/leaks/export?format=ndjson', adminB);
    expect(all.status).toBe(200);
    expect(all.type).toMatch(/^application\/x-ndjson/);
    const items = ndjson(all.text);
    const list = (await call('GET', '/api/v1/leaks?limit=500', adminB)).body.items;
    expect(items).toEqual(list);
    expect(ndjson((await raw('/api/v1/leaks/export?format=ndjson&status=fixed', adminB)).text).map((l) => l.leakid)).toEqual([leaksB[0]]);
    expect(ndjson((await raw(`/api/v1/leaks/export?format=ndjson&q=${leaksB[1]}`, adminB)).text).map((l) => l.leakid)).toEqual([leaksB[1]]);
    // An analyst may export too (read only); a global admin sees both organisations.
    expect(ndjson((await raw('/api/v1/leaks/export?format=ndjson', analystB)).text)).toHaveLength(3);
    expect(ndjson((await raw('/api/v1/leaks/export?format=ndjson', E2E_ADMIN_KEY)).text)).toHaveLength(BIG + 3);
  }, 60_000);

  it('defuses formula cells and quotes commas and quotes in CSV', async () => {
    const response = await raw('/api/v1/leaks/export', adminB);
    const [header, ...rows] = parseCsv(response.text);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r[header.indexOf('sources')] === `'=HYPERLINK("http://evil.example","x"), 1`)).toBe(true);
  });

  it('answers bad parameters with a problem naming the field, and needs a key', async () => {
    expect(await call('GET', '/api/v1/leaks/export?format=xlsx', adminA)).toMatchObject({ status: 400, type: expect.stringMatching(/problem\+json/) });
    expect(JSON.stringify((await call('GET', '/api/v1/leaks/export?format=xlsx', adminA)).body)).toContain('format');
    expect((await call('GET', '/api/v1/leaks/export?limit=5', adminA)).status).toBe(400);
    expect((await call('GET', '/api/v1/leaks/export')).status).toBe(401);
    expect((await call('GET', '/api/v1/audit/events?from=yesterday', adminA)).status).toBe(400);
    expect((await call('GET', '/api/v1/audit/events?from=2026-01-02&to=2026-01-01', adminA)).status).toBe(400);
  });

  it("streams the audit log of the caller's organisation only, ordered by time, filtered by type and time", async () => {
    const eventsB = ndjson((await raw('/api/v1/audit/events', adminB)).text);
    expect(eventsB.map((e) => e.type).sort()).toEqual(['LeakDetected', 'LeakDetected', 'LeakDetected', 'LeakStatusChanged']);
    expect(eventsB.every((e) => leaksB.includes(e.leakid))).toBe(true);
    const times = eventsB.map((e) => e.time);
    expect([...times].sort()).toEqual(times);
    const changed = eventsB.find((e) => e.type === 'LeakStatusChanged');
    expect(changed).toMatchObject({ leakid: leaksB[0], revision: 1, actor: { org_id: orgB, role: 'admin' }, data: { to: 'fixed', comment: 'rotated' } });

    const eventsA = ndjson((await raw('/api/v1/audit/events?type=LeakDetected', adminA)).text);
    expect(eventsA).toHaveLength(BIG);
    expect(eventsA.some((e) => leaksB.includes(e.leakid))).toBe(false);
    expect(ndjson((await raw('/api/v1/audit/events?type=LeakStatusChanged', E2E_ADMIN_KEY)).text).map((e) => e.leakid)).toEqual([leaksB[0]]);
    expect(ndjson((await raw('/api/v1/audit/events?type=LeakStatusChanged', adminA)).text)).toEqual([]);
    expect(ndjson((await raw(`/api/v1/audit/events?from=${encodeURIComponent(changed.time)}`, adminB)).text).map((e) => e.type)).toEqual(['LeakStatusChanged']);
    expect(ndjson((await raw(`/api/v1/audit/events?to=${encodeURIComponent(changed.time)}`, adminB)).text).map((e) => e.type)).toEqual(['LeakDetected', 'LeakDetected', 'LeakDetected']);
  }, 60_000);

  it('leakwatch audit events writes the log to a file and counts on stderr', async () => {
    const out = path.join(tmp, 'audit.ndjson');
    const result = await promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', 'audit', 'events', '--type', 'LeakStatusChanged', '--out', out], {
      cwd: root,
      env: { ...process.env, LEAKWATCH_URL: e2e.app.url, LEAKWATCH_API_KEY: adminB },
    });
    expect(result.stderr).toContain(`audit events: 1 event written to ${out}`);
    expect(ndjson(readFileSync(out, 'utf8'))).toEqual([expect.objectContaining({ leakid: leaksB[0], type: 'LeakStatusChanged' })]);
    const refused = await promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', 'audit', 'events', '--from', 'soon'], {
      cwd: root,
      env: { ...process.env, LEAKWATCH_URL: e2e.app.url, LEAKWATCH_API_KEY: adminB },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: expect.any(Number), stderr: expect.stringContaining('from') });
  }, 60_000);
});
