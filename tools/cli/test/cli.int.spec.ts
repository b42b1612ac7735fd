import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { PostgresEventStore } from '@leakwatch/event-store';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { Pool } from 'pg';

const root = path.resolve(__dirname, '../../..');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  }).catch((error: { code: number; stdout: string; stderr: string }) => error);

describe('leakwatch CLI', () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(async () => pg?.stop());

  it('--help lists the commands and how the database is chosen', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toMatch(/Usage: leakwatch/);
    expect(stdout).toMatch(/health/);
    expect(stdout).toMatch(/store/);
    expect(stdout).toMatch(/DATABASE_URL/);
  });

  it('an unknown command fails with a hint', async () => {
    const result = (await run(['frobnicate'])) as { code: number; stderr: string };
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('store info counts events per category', async () => {
    const url = await pg.newDatabase('cli');
    const pool = new Pool({ connectionString: url });
    pool.on('error', () => undefined); // an idle client sees the server stop at teardown
    const store = await PostgresEventStore.create(pool);
    await store.appendToStream(`leak-${randomUUID()}`, [{ id: randomUUID(), type: 'A', data: {} }, { id: randomUUID(), type: 'B', data: {} }], { expectedRevision: 'no_stream' });
    await store.appendToStream(`org-${randomUUID()}`, [{ id: randomUUID(), type: 'C', data: {} }], { expectedRevision: 'no_stream' });
    await store.close();
    await pool.end();

    const { stdout } = await run(['store', 'info', '--json'], { DATABASE_URL: url });
    expect(JSON.parse(stdout).categories).toEqual([
      expect.objectContaining({ category: 'leak', streams: 1, events: 2 }),
      expect.objectContaining({ category: 'org', streams: 1, events: 1 }),
    ]);
  });

  it('history exports a leak\'s events as JSON and CSV, and refuses bad ids', async () => {
    const url = await pg.newDatabase('cli_history');
    const pool = new Pool({ connectionString: url });
    pool.on('error', () => undefined); // an idle client sees the server stop at teardown
    const store = await PostgresEventStore.create(pool);
    const leakid = 'b3652f2555841f7652badd9804859f4e';
    await store.appendToStream(`leak-${leakid}`, [
      { id: randomUUID(), type: 'LeakDetected', data: { leakid, source: { name: 'gitleaks' } }, metadata: { occurred_at: '2026-01-01T00:00:00.000Z', actor: { role: 'system' } } },
      { id: randomUUID(), type: 'LeakStatusChanged', data: { leakid, from: 'open', to: 'fixed', comment: 'rotated, "really"' }, metadata: { occurred_at: '2026-01-02T00:00:00.000Z', actor: { role: 'admin', user_email: 'sec@acme.example' } } },
    ], { expectedRevision: 'no_stream' });
    await store.close();
    await pool.end();

    const json = await run(['history', leakid, '--format', 'json'], { DATABASE_URL: url });
    expect(JSON.parse(json.stdout).events.map((e: { type: string }) => e.type)).toEqual(['LeakDetected', 'LeakStatusChanged']);
    const csv = await run(['history', leakid, '--format', 'csv', '--as-of', '2026-01-01T12:00:00Z'], { DATABASE_URL: url });
    expect(csv.stdout.trim().split('\n')).toHaveLength(2);
    const full = await run(['history', leakid, '--format', 'csv'], { DATABASE_URL: url });
    expect(full.stdout).toContain('"sec@acme.example"');
    expect(full.stdout).toContain('""comment"":""rotated, '); // quotes inside the JSON cell are doubled, as CSV wants
    expect(await run(['history', 'nope'], { DATABASE_URL: url })).toMatchObject({ code: 1, stderr: expect.stringMatching(/not a leak id/) });
    expect(await run(['history', 'f'.repeat(32)], { DATABASE_URL: url })).toMatchObject({ code: 1, stderr: expect.stringMatching(/no events/) });
  });

  it('health reports an unreachable instance with exit code 1', async () => {
    const result = (await run(['health', '--url', 'http://127.0.0.1:9'])) as { code: number; stderr: string };
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach http:\/\/127.0.0.1:9/);
  });
});
