/**
 * The remediation report as users meet it, over real HTTP against `npm start`'s process: leaks added and decided
 * by two organisations' admins; each organisation's report (JSON, CSV by format and by Accept, HTML, and the
 * CLI) counts only its own leaks and names the deciding key, role and comment; bad windows are a 400 naming
 * the field.
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

describe('remediation report (e2e)', () => {
  let e2e: E2e;
  let tmp: string;
  let adminA: { id: string; key: string }, adminB: { id: string; key: string };
  let orgA: string, orgB: string;
  let leaksA: string[], leaksB: string[];
  const started = new Date(Date.now() - 60_000).toISOString();
  const window = () => `from=${encodeURIComponent(started)}&to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`;

  const call: E2e['call'] = (...args) => e2e.call(...args);
  const raw = async (pathAndQuery: string, key: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${e2e.app.url}${pathAndQuery}`, { headers: { 'x-api-key': key, ...headers } });
    return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, text: await response.text() };
  };
  const issue = async (body: Record<string, unknown>) => {
    const response = await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, body);
    expect(response.status).toBe(201);
    return response.body as { id: string; key: string };
  };
  const add = async (key: string, count: number, source: string) => {
    const response = await call('POST', '/api/v1/leaks', key, { source: { name: source }, tokens: Array.from({ length: count }, () => ({ value: fakeToken() })) });
    expect(response.status).toBe(201);
    return response.body.leakids as string[];
  };
  const decide = async (key: string, leakid: string, status: string, comment: string) => {
    await eventually('leak visible', () => call('GET', `/api/v1/leaks/${leakid}`, key), (r) => r.status === 200);
    expect((await call('POST', '/api/v1/leaks/status', key, { leakid, status, comment })).status).toBe(200);
  };

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-report-'));
    e2e = await startE2e();
    orgA = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' })).body.org_id;
    orgB = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    adminA = await issue({ name: 'a', role: 'admin', org_id: orgA });
    adminB = await issue({ name: 'b', role: 'admin', org_id: orgB });
    leaksA = await add(adminA.key, 3, 'pastebin');
    leaksB = await add(adminB.key, 2, 'gist');
    await decide(adminA.key, leaksA[0], 'fixed', 'rotated, see TICKET-1');
    await decide(adminA.key, leaksA[1], 'false_positive', '=HYPERLINK("http://evil.example")');
    await decide(adminB.key, leaksB[0], 'fixed', '<b>B</b> rotated');
  }, 90_000);

  afterAll(async () => {
    if (e2e) await e2e.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  // Decisions and figures are two read models fed by two consumer groups: wait until both show every decision.
  const reportOf = (key: string, decisions: number) =>
    eventually('report', () => call('GET', `/api/v1/reports/remediation?${window()}`, key), (r) => r.status === 200 && r.body.decisions.length === decisions && r.body.totals.fixed + r.body.totals.false_positives + r.body.totals.reopened === decisions).then((r) => r.body);

  it("gives an organisation its figures and decisions, with the deciding key, role and comment — and nothing of another organisation's", async () => {
    const a = await reportOf(adminA.key, 2);
    expect(a.totals).toMatchObject({ opened: 3, fixed: 1, false_positives: 1, reopened: 0, reopened_by_regression: 0, open_longer_than_n_days: 0 });
    expect(a.totals.mean_time_to_fix_seconds).toEqual(expect.any(Number));
    expect(a.totals.p90_time_to_fix_seconds).toBeGreaterThanOrEqual(a.totals.mean_time_to_fix_seconds);
    expect(a.by_type.organization).toMatchObject({ opened: 3, fixed: 1 });
    expect(Object.keys(a.by_source)).toEqual(['pastebin']);
    expect(a.decisions).toEqual([
      expect.objectContaining({ leakid: leaksA[0], from: 'open', to: 'fixed', reason: 'decision', comment: 'rotated, see TICKET-1', actor: { key_id: adminA.id, role: 'admin', org_id: orgA } }),
      expect.objectContaining({ leakid: leaksA[1], from: 'open', to: 'false_positive', comment: '=HYPERLINK("http://evil.example")', actor: { key_id: adminA.id, role: 'admin', org_id: orgA } }),
    ]);

    const b = await reportOf(adminB.key, 1);
    expect(b.totals).toMatchObject({ opened: 2, fixed: 1, false_positives: 0 });
    expect(Object.keys(b.by_source)).toEqual(['gist']);
    const text = JSON.stringify(b);
    for (const leakid of leaksA) expect(text).not.toContain(leakid);
    expect(text).not.toContain(adminA.id);

    // The global admin sees both organisations.
    const all = await reportOf(E2E_ADMIN_KEY, 3);
    expect(all.totals).toMatchObject({ opened: 5, fixed: 2, false_positives: 1 });
  });

  it('answers CSV for format=csv and for Accept: text/csv, with formula cells neutralised', async () => {
    await reportOf(adminA.key, 2);
    const byFormat = await raw(`/api/v1/reports/remediation?${window()}&format=csv`, adminA.key);
    expect(byFormat.status).toBe(200);
    expect(byFormat.type).toMatch(/^text\/csv/);
    expect(byFormat.headers.get('content-disposition')).toMatch(/attachment; filename="remediation-.*\.csv"/);
    const lines = byFormat.text.split('\r\n');
    expect(lines[0]).toMatch(/^record,dimension,group,opened,reopened,reopened_by_regression,fixed,false_positives,/);
    expect(lines[1]).toMatch(/^figures,total,all,3,0,0,1,1,/);
    expect(byFormat.text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(byFormat.text).toContain(`${leaksA[0]},1,open,fixed,decision,"rotated, see TICKET-1",${adminA.id},admin,${orgA}`);
    for (const leakid of leaksB) expect(byFormat.text).not.toContain(leakid);

    const byAccept = await raw(`/api/v1/reports/remediation?${window()}`, adminA.key, { accept: 'text/csv' });
    expect(byAccept.type).toMatch(/^text\/csv/);
    expect(byAccept.text.split('\r\n')[1]).toBe(lines[1]);
  });

  it('serves one self-contained, escaped HTML page', async () => {
    await reportOf(adminB.key, 1);
    const page = await raw(`/api/v1/reports/remediation?${window()}&format=html`, adminB.key);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('&lt;b&gt;B&lt;/b&gt; rotated');
    expect(page.text).not.toMatch(/<script|<link|<b>B/);
  });

  it('refuses a bad window with a 400 problem naming the field', async () => {
    const reversed = await call('GET', '/api/v1/reports/remediation?from=2026-11-02&to=2026-11-01', adminA.key);
    expect(reversed.status).toBe(400);
    expect(reversed.type).toMatch(/^application\/problem\+json/);
    expect(reversed.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
    const garbage = await call('GET', '/api/v1/reports/remediation?to=soon&open_longer_than_days=-1&format=pdf', adminA.key);
    expect(garbage.status).toBe(400);
    expect(garbage.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['format', 'open_longer_than_days', 'to']);
    expect((await call('GET', '/api/v1/reports/remediation', undefined)).status).toBe(401);
  });

  it('`leakwatch report remediation` prints the table and writes CSV and HTML files through the API', async () => {
    await reportOf(adminA.key, 2);
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', 'report', 'remediation', '--from', started, '--to', new Date(Date.now() + 3_600_000).toISOString(), ...args], {
        cwd: root, env: { ...process.env, LEAKWATCH_URL: e2e.app.url, LEAKWATCH_API_KEY: adminA.key },
      });
    const table = await cli([]);
    expect(table.stdout).toMatch(/^total\s+3\s+0\s+0\s+1\s+1\s/m);
    expect(table.stdout).toContain('Decisions (2)');
    expect(table.stdout).toContain(`${adminA.id} / admin / ${orgA}`);
    for (const leakid of leaksB) expect(table.stdout).not.toContain(leakid);

    const csv = path.join(tmp, 'report.csv');
    await cli(['--format', 'csv', '--out', csv, '--open-longer-than', '0']);
    expect(readFileSync(csv, 'utf8')).toMatch(/\r\nfigures,total,all,3,0,0,1,1,\d+,\d+,1,/); // one leak still open, for more than 0 days
    const html = path.join(tmp, 'report.html');
    await cli(['--format', 'html', '--out', html]);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*Decisions \(2\)/);

    const refused = await cli(['--from', '2026-11-02', '--to', '2026-11-01']).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/400: from/) });
  }, 60_000);
});
