/**
 * All or nothing across a crash (issue 15.5), with `npm start`'s process: kill -9 while a report is being
 * uploaded — after thousands of its findings were already staged in PostgreSQL — publishes none of them,
 * neither then nor after a restart on the same data directory.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { startLeakwatchProcess, LeakwatchProcess } from './support/leakwatch-process';
import { embeddedDatabaseClient, storedEventCounts, withEmbeddedDatabase } from './support/stored-events';
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
  return withEmbeddedDatabase(dataDir, async (client) => Number((await client.query(sql)).rows[0].n));
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

/**
 * The bulk decisions (issue 15.5): kill -9 while a 1,000-id `POST /api/v1/leaks/status` or
 * `/api/v1/leaks/virtual-patch` is running, restart on the same data directory: all 1,000 leaks changed or
 * none did, judged by the leak streams' events (the event store, and the history API after the restart).
 * Before the fix each leak was appended on its own: a crash left 485 of 1,000 changed.
 */
describe('crash during a 1,000-id bulk decision', () => {
  type LeakState = { status: string; patch: boolean };
  let app: LeakwatchProcess | undefined;
  afterAll(async () => {
    if (!app) return;
    if (app.child.exitCode === null) await app.stop();
    else await stopOrphanedPostgres(app.dataDir).catch(() => undefined);
    app.cleanUp();
  });

  /** Each leak's status and virtual patch, replayed from its stream's events in the event store. */
  async function statesFromEvents(dataDir: string, leakids: string[]): Promise<Map<string, LeakState>> {
    const { rows } = await withEmbeddedDatabase(dataDir, (client) =>
      client.query<{ stream_id: string; event_type: string; data: { to?: string } }>(
        `SELECT stream_id, event_type, data FROM es_events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_revision`,
        [leakids.map((id) => `leak-${id}`)],
      ),
    );
    const states = new Map<string, LeakState>();
    for (const row of rows) {
      const id = row.stream_id.slice('leak-'.length);
      const state = states.get(id) ?? { status: 'none', patch: false };
      if (row.event_type === 'LeakDetected') state.status = 'open';
      else if (row.event_type === 'LeakStatusChanged') state.status = String(row.data.to);
      else if (row.event_type === 'VirtualPatchApplied') state.patch = true;
      else if (row.event_type === 'VirtualPatchRemoved') state.patch = false;
      states.set(id, state);
    }
    return states;
  }


  /** How many of the leaks are in each state, e.g. { "fixed/false": 1000 }. */
  function tally(states: Map<string, LeakState>, leakids: string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const id of leakids) {
      const s = states.get(id);
      const label = s ? `${s.status}/${s.patch}` : 'missing';
      counts[label] = (counts[label] ?? 0) + 1;
    }
    return counts;
  }

  it('kill -9 during the request, restart: all 1,000 leaks changed or none, by their events', async () => {
    const adminKey = `lw_test_${randomBytes(16).toString('hex')}`;
    const env = { LEAKWATCH_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' };
    app = await startLeakwatchProcess(env);
    const call = async (method: string, route: string, key: string, body?: unknown) => {
      const response = await fetch(`${(app as LeakwatchProcess).url}${route}`, { method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const org = (await call('POST', '/api/v1/orgs', adminKey, { name: 'Bulk crash' })).body.org_id as string;
    const key = (await call('POST', '/api/v1/api-keys', adminKey, { name: 'bulk', role: 'admin', org_id: org, limit: 1_000_000 })).body.key as string;
    const n = 1000;
    const report = Array.from({ length: n }, (_, i) => ({ RuleID: 'github-pat', File: 'app/.env', StartLine: i + 1, Secret: `ghp_${randomBytes(18).toString('hex')}` }));
    expect(await call('POST', '/api/v1/ingest/gitleaks', key, report)).toMatchObject({ status: 202, body: { accepted: n } });
    await eventually('the 1,000 leaks are listed', () => call('GET', '/api/v1/leaks?limit=1', key), (r) => r.body.total === n, { timeoutMs: 120_000 });
    const leakids: string[] = [];
    for (let cursor: string | null = null; ; ) {
      const page: { body: Record<string, unknown> } = await call('GET', `/api/v1/leaks?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, key);
      leakids.push(...(page.body.items as Array<{ leakid: string }>).map((l) => l.leakid));
      cursor = page.body.next_cursor as string | null;
      if (!cursor) break;
    }
    expect(new Set(leakids).size).toBe(n);

    /** Sends the decision with node:http (so we know when it is on the wire) and answers when and how it ended. */
    const send = (running: LeakwatchProcess, route: string, body: unknown) => {
      const payload = JSON.stringify(body);
      let sent!: () => void;
      const onWire = new Promise<void>((resolve) => (sent = resolve));
      let answeredAt: number | undefined;
      // A failure as its message: node's errors are not instances of the test realm's Error.
      const answer = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
        const req = httpRequest(`${running.url}${route}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
          answeredAt = Date.now();
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', (error) => resolve({ error: String(error) }));
        });
        req.on('error', (error) => resolve({ error: String(error) }));
        req.on('finish', () => sent());
        req.end(payload);
      });
      return { onWire, answer, answeredAt: () => answeredAt };
    };

    // Trials: odd ones kill the moment the decision's single append statement is running in PostgreSQL
    // (pg_stat_activity), even ones at a delay after the request is on the wire (a fraction of how long an
    // uninterrupted decision took), and the last one the moment the first of its events is committed (visible
    // to another connection): an append per leak would be caught there with 1 (or a few) of 1,000 changed, as
    // the delayed kills would catch it part-way. Each trial records whether the answer came before the kill.
    const outcomes: Array<{ trial: number; route: string; killAt: string; answeredBeforeKill: boolean; answer: string; result: 'all' | 'none' }> = [];
    expect(tally(await statesFromEvents(app.dataDir, leakids), leakids)).toEqual({ 'open/false': n });
    let state: LeakState = { status: 'open', patch: false };

    // An uninterrupted decision first: the machinery works, and how long one takes (for the delayed kills).
    const started = Date.now();
    const baseline = await call('POST', '/api/v1/leaks/virtual-patch', key, { leakids, enabled: true });
    const baselineMs = Date.now() - started;
    expect(baseline).toMatchObject({ status: 200, body: { updated: n } });
    state = { status: 'open', patch: true };
    expect(tally(await statesFromEvents(app.dataDir, leakids), leakids)).toEqual({ 'open/true': n });

    const trials = 5;
    let lastKind: 'status' | 'patch' = 'patch';
    for (let trial = 1; trial <= trials; trial++) {
      // A status trial toggles open ↔ fixed; a patch trial (on open leaks) toggles the virtual patch. They
      // alternate where the state allows, so both routes meet both kinds of kill.
      const patchTrial: boolean = state.status === 'open' && lastKind === 'status';
      lastKind = patchTrial ? 'patch' : 'status';
      const route = patchTrial ? '/api/v1/leaks/virtual-patch' : '/api/v1/leaks/status';
      const target: LeakState = patchTrial ? { status: state.status, patch: !state.patch } : { status: state.status === 'open' ? 'fixed' : 'open', patch: state.status === 'open' ? false : state.patch };
      const body = patchTrial ? { leakids, enabled: target.patch } : { leakids, status: target.status, comment: `trial ${trial}` };

      const running: LeakwatchProcess = app;
      const dataDir = running.dataDir;
      const monitor = await embeddedDatabaseClient(dataDir);
      const kind: 'append' | 'delay' | 'visible' = trial === trials ? 'visible' : trial % 2 === 1 ? 'append' : 'delay';
      const lastPosition = String((await monitor.query(`SELECT coalesce(max(global_position), 0) AS p FROM es_events`)).rows[0].p);
      const request = send(running, route, body);
      await request.onWire;
      let killAt: string;
      if (kind === 'visible') {
        await eventually(
          'the first event of the decision is committed',
          async () => Number((await monitor.query(`SELECT count(*) AS n FROM es_events WHERE global_position > $1 AND stream_id LIKE 'leak-%'`, [lastPosition])).rows[0].n),
          (n) => n > 0,
          { timeoutMs: 60_000, intervalMs: 1 }, // kill as soon as anything of the decision is visible
        );
        killAt = 'its first event was visible';
      } else if (kind === 'append') {
        await eventually(
          'the decision\'s append is running',
          async () => Number((await monitor.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT * FROM es_append%' AND pid <> pg_backend_pid()`)).rows[0].n),
          (active) => active > 0 || request.answeredAt() !== undefined,
          { timeoutMs: 60_000, intervalMs: 1 },
        );
        killAt = request.answeredAt() === undefined ? 'append running' : 'append not seen before the answer';
      } else {
        const delay = Math.round(baselineMs * (trial / (trials + 1)));
        await new Promise((resolve) => setTimeout(resolve, delay)); // a kill point, not a wait for state
        killAt = `${delay} ms after sending (an uninterrupted decision took ${baselineMs} ms)`;
      }
      const answeredBeforeKill = request.answeredAt() !== undefined;
      running.child.kill('SIGKILL');
      await new Promise((resolve) => (running.child.exitCode !== null ? resolve(undefined) : running.child.once('exit', resolve)));
      await monitor.end().catch(() => undefined);
      const answer = await request.answer;

      // Judged by the events: right after the kill (the orphaned PostgreSQL still runs) and after a restart.
      const afterKill = tally(await statesFromEvents(dataDir, leakids), leakids);
      app = await startLeakwatchProcess(env, 60_000, dataDir);
      const afterRestart = tally(await statesFromEvents(dataDir, leakids), leakids);
      expect(afterRestart).toEqual(afterKill);
      const label = (s: LeakState) => `${s.status}/${s.patch}`;
      const result = afterRestart[label(target)] === n ? 'all' : 'none';
      outcomes.push({ trial, route, killAt, answeredBeforeKill, answer: 'error' in answer ? `no answer (${answer.error})` : `${answer.status}`, result });
      // All or nothing: every leak in the target state, or every leak still as before.
      expect([{ [label(target)]: n }, { [label(state)]: n }]).toContainEqual(afterRestart);
      // An answer that said "changed" must be true of every leak.
      if (!('error' in answer) && answer.status === 200) {
        expect(JSON.parse(answer.body)).toMatchObject({ updated: n });
        expect(result).toBe('all');
      }
      // Killed once something of the decision was visible: all of it was there.
      if (kind === 'visible') expect(result).toBe('all');
      // The history API (the leak's stream, through the restarted process) agrees for the first, middle and last leak.
      for (const id of [leakids[0], leakids[n >> 1], leakids[n - 1]]) {
        const history = (await call('GET', `/api/v1/leaks/${id}/history`, key)).body.events as Array<{ type: string; data: { to?: string } }>;
        const replayed = history.reduce<LeakState>((s, e) => (e.type === 'LeakStatusChanged' ? { ...s, status: String(e.data.to) } : e.type === 'VirtualPatchApplied' ? { ...s, patch: true } : e.type === 'VirtualPatchRemoved' ? { ...s, patch: false } : s), { status: 'open', patch: false });
        expect(replayed).toEqual(result === 'all' ? target : state);
      }
      if (result === 'all') state = target;
      // The read model follows the events after the restart.
      await eventually('the read model shows the leaks as their events do', () => call('GET', `/api/v1/leaks?limit=1&status=${state.status}&virtual_patch=${state.patch}`, key), (r) => r.body.total === n, { timeoutMs: 60_000 });
    }
    console.log(`bulk decision crash trials:\n${outcomes.map((o) => `  #${o.trial} ${o.route}, killed ${o.killAt}; answered before the kill: ${o.answeredBeforeKill}; answer: ${o.answer}; ${o.result} of ${n} changed`).join('\n')}`);
    // The kill landed during the request (before its answer) in at least one trial, so the test exercised a crash.
    expect(outcomes.filter((o) => !o.answeredBeforeKill && o.answer.startsWith('no answer')).length).toBeGreaterThan(0);
  }, 600_000);
});
