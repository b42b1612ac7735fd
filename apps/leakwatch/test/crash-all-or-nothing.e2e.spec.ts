/**
 * All or nothing across a crash (issue 15.5), with `npm start`'s process: kill -9 while a report is being
 * uploaded — after thousands of its findings were already staged in PostgreSQL — publishes none of them,
 * neither then nor after a restart on the same data directory.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startLeakwatchProcess, LeakwatchProcess } from './support/leakwatch-process';
import { storedEventCounts } from './support/stored-events';
import { eventually } from '@leakwatch/testing';

/** After a kill -9 the embedded PostgreSQL outlives its parent: stop it before removing its directory. */
async function stopOrphanedPostgres(dataDir: string): Promise<void> {
  const pid = Number(readFileSync(path.join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await eventually('the orphaned PostgreSQL exited', alive, (up) => !up, { timeoutMs: 10_000 }).catch(() => undefined); // best effort
}

async function embeddedQuery(dataDir: string, sql: string): Promise<number> {
  const dir = path.join(dataDir, 'postgres');
  const port = Number(readFileSync(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'leakwatch' });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

describe('crash during a report upload', () => {
  let first: LeakwatchProcess | undefined;
  let second: LeakwatchProcess | undefined;
  afterAll(async () => {
    if (first?.child.exitCode === null) first.child.kill('SIGKILL');
    if (second) {
      await second.stop();
      second.cleanUp();
    } else if (first) {
      await stopOrphanedPostgres(first.dataDir).catch(() => undefined);
      first.cleanUp();
    }
  });

  it('kill -9 mid-upload: staged findings are never published, also not after a restart', async () => {
    const adminKey = `lw_test_${randomBytes(16).toString('hex')}`;
    first = await startLeakwatchProcess({ LEAKWATCH_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' });
    const call = async (app: LeakwatchProcess, key: string, method: string, route: string, body?: unknown) => {
      const response = await fetch(`${app.url}${route}`, { method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const org = (await call(first, adminKey, 'POST', '/api/v1/orgs', { name: 'Crash' })).body.org_id as string;
    const key = (await call(first, adminKey, 'POST', '/api/v1/api-keys', { name: 'crash', role: 'admin', org_id: org, limit: 1_000_000 })).body.key as string;

    // A report body that sends 5,000 findings and then stalls (the upload is still in progress when we kill).
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('['));
        for (let i = 0; i < 5000; i++) {
          const finding = { RuleID: 'github-pat', File: 'app/.env', StartLine: i + 1, Secret: `ghp_${randomBytes(18).toString('hex')}` };
          controller.enqueue(encoder.encode(`${i ? ',' : ''}${JSON.stringify(finding)}`));
        }
      },
    });
    const upload = fetch(`${first.url}/api/v1/ingest/gitleaks`, {
      method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body, duplex: 'half',
    } as RequestInit & { duplex: 'half' }).catch((error: unknown) => error);

    const dataDir = first.dataDir;
    await eventually('the findings are staged', () => embeddedQuery(dataDir, `SELECT count(*) AS n FROM ingest_staged_findings`).catch(() => 0), (n) => n >= 4000, { timeoutMs: 30_000 });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first?.child.once('exit', resolve));
    expect(String(await upload)).toMatch(/fetch failed|terminated|socket/i); // no 202: the client knows it was not accepted

    expect((await storedEventCounts(dataDir)).finding ?? 0).toBe(0);
    second = await startLeakwatchProcess({ LEAKWATCH_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' }, 60_000, dataDir);
    expect((await storedEventCounts(dataDir)).finding ?? 0).toBe(0);
    expect((await call(second, key, "GET", "/api/v1/leaks?limit=1")).body.total).toBe(0);
    // The same report, sent whole, is accepted as new: nothing of the first attempt was kept.
    const whole = JSON.stringify([{ RuleID: 'github-pat', File: 'app/.env', Secret: `ghp_${randomBytes(18).toString('hex')}` }]);
    expect(await call(second, key, 'POST', '/api/v1/ingest/gitleaks', JSON.parse(whole))).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0 } });
  }, 180_000);

  it('kill -9 the moment the first finding event of a complete report is visible: all of them are there, or none', async () => {
    const adminKey = `lw_test_${randomBytes(16).toString('hex')}`;
    const app = await startLeakwatchProcess({ LEAKWATCH_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' });
    try {
      const post = async (route: string, key: string, body: unknown) =>
        (await (await fetch(`${app.url}${route}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, string>;
      const org = (await post('/api/v1/orgs', adminKey, { name: 'Crash2' })).org_id;
      const key = (await post('/api/v1/api-keys', adminKey, { name: 'crash', role: 'admin', org_id: org, limit: 1_000_000 })).key;
      const n = 8000;
      const report = Array.from({ length: n }, (_, i) => ({ RuleID: 'github-pat', File: 'app/.env', StartLine: i + 1, Secret: `ghp_${randomBytes(18).toString('hex')}` }));
      const upload = post('/api/v1/ingest/gitleaks', key, report).catch((error: unknown) => error);
      // Before issue 15.5 the findings were appended 1,000 per transaction after the body was read: a kill
      // here left a part stored. Now one statement publishes them: the first visible event means all of them.
      const running = app;
      const seen = await eventually(
        'a finding event is visible',
        () => embeddedQuery(running.dataDir, `SELECT count(*) AS n FROM es_events WHERE stream_id LIKE 'finding-%'`).catch(() => 0),
        (n) => n > 0,
        { timeoutMs: 60_000, intervalMs: 5 }, // kill as soon as the publish is visible
      );
      app.child.kill('SIGKILL');
      await new Promise((resolve) => app.child.once('exit', resolve));
      await upload;
      expect(seen).toBe(n);
      expect((await storedEventCounts(app.dataDir)).finding).toBe(n);
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
      await stopOrphanedPostgres(app.dataDir).catch(() => undefined);
      app.cleanUp();
    }
  }, 180_000);
});
