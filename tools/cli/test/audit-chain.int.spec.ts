/**
 * `leakwatch audit verify | export | public-key` (issue 14.3/14.4) as an operator and an auditor run them: real
 * CLI processes, real PostgreSQL. A clean store verifies (exit 0); an export verifies offline against the pinned
 * public key; an edited export line and a row deleted from es_events are reported with exit code 2.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { PostgresEventStore } from '@leakwatch/event-store';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../..');
type RunResult = { code?: number; stdout: string; stderr: string };

describe('leakwatch audit verify / export (CLI)', () => {
  let pg: ThrowawayPostgres;
  let dir: string;
  let pool: Pool;
  let env: NodeJS.ProcessEnv;
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
    promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', ...args], { cwd: root, env: { ...process.env, ...env, ...extra } })
      .then((r) => ({ code: 0, ...r }))
      .catch((error: RunResult) => error);

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    dir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-cli-audit-'));
    const url = await pg.newDatabase('cli_audit');
    env = { DATABASE_URL: url, LEAKWATCH_SECRETS_KEY: 'ab'.repeat(32), LEAKWATCH_DATA_DIR: path.join(dir, 'data') };
    pool = new Pool({ connectionString: url });
    pool.on('error', () => undefined); // an idle client sees the server stop at teardown
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pool?.end();
    await pg?.stop();
  });

  it('verifies a clean store, exports a signed window, verifies it offline, and reports tampering with exit code 2', async () => {
    const store = await PostgresEventStore.create(pool);
    const leak = `leak-${randomUUID()}`;
    const event = (type: string, data: unknown) => ({ id: randomUUID(), type, data, metadata: { correlation_id: randomUUID() } });
    await store.appendToStream(leak, [event('LeakDetected', { fingerprint: 'f'.repeat(64), amount: 1.5 }), event('LeakStatusChanged', { to: 'fixed' })], { expectedRevision: 'no_stream' });
    await store.appendToStream(`org-${randomUUID()}`, [event('OrganizationCreated', { name: 'Acme "Labs"' })], { expectedRevision: 'no_stream' });
    await store.appendToStream(leak, [event('LeakStatusChanged', { to: 'open' })], { expectedRevision: 1 });
    await store.close();

    const clean = await run(['audit', 'verify']);
    expect(clean).toMatchObject({ code: 0, stdout: expect.stringMatching(/2 streams, 4 events checked: 4 chained, 0 unchained[\s\S]*1 written[\s\S]*OK: no event was changed/) });

    const file = path.join(dir, 'audit.ndjson');
    const exported = await run(['audit', 'export', '--from', '2000-01-01T00:00:00Z', '--out', file]);
    expect(exported).toMatchObject({ code: 0, stderr: expect.stringMatching(/4 events in 2 streams \(4 chained, 0 unchained\) written to .*audit\.ndjson; signed with key k[0-9a-f]{8}\//) });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[4]).manifest).toMatchObject({ events: 4, streams: { [leak]: { first_revision: 0, last_revision: 2, prev: null } } });

    const pem = path.join(dir, 'audit.pem');
    const key = await run(['audit', 'public-key']);
    expect(key.stdout).toMatch(/BEGIN PUBLIC KEY/);
    writeFileSync(pem, key.stdout);
    expect(await run(['audit', 'verify', '--file', file, '--public-key', pem], { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/4 events checked[\s\S]*valid, the pinned key[\s\S]*OK: no line was changed/),
    });

    const edited = path.join(dir, 'edited.ndjson');
    writeFileSync(edited, readFileSync(file, 'utf8').replace('"to": "fixed"', '"to": "wontfix"'));
    expect(await run(['audit', 'verify', '--file', edited, '--public-key', pem])).toMatchObject({ code: 2, stdout: expect.stringMatching(/TAMPERED[\s\S]*changed\s+line 2 stream leak-/) });

    await pool.query(`DELETE FROM es_events WHERE stream_id = $1 AND stream_revision = 1`, [leak]);
    const tampered = await run(['audit', 'verify', '--json']);
    expect(tampered.code).toBe(2);
    expect(JSON.parse(tampered.stdout).problems[0]).toMatchObject({ kind: 'deleted', streamId: leak, revision: 1 });
  }, 240_000);
});
