/**
 * Operations that tell the truth, against `npm start`'s real process:
 * - a start that cannot listen (busy port) creates no admin key; the next start creates AND prints it;
 * - `leakwatch keys bootstrap` (database access) rotates a lost key: the printed key works, the old one stops;
 * - bad settings: exit 2 listing every bad variable, no stack trace; `npm run start:service` without a service
 *   names the choices;
 * - /metrics carries token checks by result and leaks by status/risk.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@leakwatch/postgres-server';
import { eventually } from '@leakwatch/testing';
import { LeakwatchProcess, startLeakwatchProcess } from './support/leakwatch-process';
import { apiClient } from './support/api-client';

const root = path.resolve(__dirname, '../../..');
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, args, { cwd: root, env: { ...process.env, ...env } })
    .then((r) => ({ code: 0, ...r }))
    .catch((error: { code: number; stdout: string; stderr: string }) => error);
const PRINTED_KEY = /global_admin API key \(shown once, store it now\):\s+(\S+)/;

describe('operations (e2e)', () => {
  let app: LeakwatchProcess | undefined;
  let blocker: Server | undefined;
  const call = apiClient(() => app?.url ?? '');

  afterAll(async () => {
    blocker?.close();
    if (app) {
      await app.stop();
      app.cleanUp();
    }
  });

  it('creates and prints the admin key only once listening; a busy port loses nothing; keys bootstrap recovers it', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-e2e-'));
    const failed = await startLeakwatchProcess({ PORT: String(port) }, 60_000, dataDir).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/exited with 1/);
    expect(failed).toContain(`port ${port} is already in use`);
    expect(failed).not.toMatch(PRINTED_KEY);
    expect(failed).not.toMatch(/^\s+at /m); // a known cause in one line, no stack trace
    blocker.close();
    blocker = undefined;

    // The same data directory: the store has no key yet, so this start creates one and prints it.
    app = await startLeakwatchProcess({}, 60_000, dataDir);
    const first = PRINTED_KEY.exec(app.output())?.[1] as string;
    expect(first).toMatch(/^lw_/);
    expect((await call('GET', '/api/v1/api-keys', first)).status).toBe(200);

    // Lost it: with database access, rotate it. The printed key works, the old one no longer does.
    const recovered = await run(['-r', './tools/register.js', 'tools/cli/src/main.ts', 'keys', 'bootstrap'], { LEAKWATCH_DATA_DIR: app.dataDir });
    expect(recovered).toMatchObject({ code: 0 });
    expect(recovered.stderr).toMatch(/rotated the bootstrap global_admin key/);
    const second = recovered.stdout.trim();
    expect(second).toMatch(/^lw_/);
    expect(second).not.toBe(first);
    const deadline = Date.now() + 15_000;
    while ((await call('GET', '/api/v1/api-keys', second)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await call('GET', '/api/v1/api-keys', second)).status).toBe(200);
    expect((await call('GET', '/api/v1/api-keys', first)).status).toBe(401);
    // --new issues another global_admin key beside it.
    const extra = await run(['-r', './tools/register.js', 'tools/cli/src/main.ts', 'keys', 'bootstrap', '--new', '--name', 'on-call'], { LEAKWATCH_DATA_DIR: app.dataDir });
    expect(extra.stderr).toMatch(/issued a new global_admin key/);
    const listed = async () => JSON.stringify((await call('GET', '/api/v1/api-keys', second)).body);
    while (!(await listed()).includes('on-call') && Date.now() < deadline + 15_000) await new Promise((r) => setTimeout(r, 200));
    expect(await listed()).toContain('on-call');
  }, 180_000);

  it('serves token checks by result and leaks by status and risk in /metrics', async () => {
    const admin = /lw_\S+/.exec((await run(['-r', './tools/register.js', 'tools/cli/src/main.ts', 'keys', 'bootstrap', '--new'], { LEAKWATCH_DATA_DIR: app?.dataDir })).stdout)?.[0] as string;
    await eventually('the new key is accepted', () => call('GET', '/api/v1/api-keys', admin), (r) => r.status === 200);
    const token = `ghp_${'a1b2c3d4e5'.repeat(3)}zz`;
    expect((await call('POST', '/api/v1/leaks', admin, { source: { name: 'metrics' }, tokens: [{ value: token }], risk: 'high' })).status).toBe(201);
    await call('POST', '/api/v1/tokens/check', admin, { token: 'ghp_not_a_leaked_token_at_all_0000' });
    await eventually('the token check reports the leaked token', () => call('POST', '/api/v1/tokens/check', admin, { token }), (r) => r.body?.leaked === true);
    // The leak gauges come from the stats read model, which catches up on its own consumer: wait for it.
    const text = await eventually(
      'the stats read model counts the open high-risk leak in /metrics',
      async () => (await fetch(`${app?.url}/metrics`)).text(),
      (body) => /^leakwatch_leaks\{status="open",risk="high"\} 1$/m.test(body),
    );
    expect(text).toMatch(/^leakwatch_token_checks_total\{result="clean"\} [1-9]/m);
    expect(text).toMatch(/^leakwatch_token_checks_total\{result="leaked"\} [1-9]/m);
    expect(text).toMatch(/^leakwatch_leaks\{status="open",risk="high"\} 1$/m);
    expect(text).toMatch(/^leakwatch_findings_ingested_total 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  }, 60_000);

  it('refuses bad settings with exit 2, every bad variable listed, no stack trace', async () => {
    const result = await run(['-r', './tools/register.js', 'apps/leakwatch/src/main.ts'], { LEAKWATCH_INGEST_MAX_BYTES: 'abc', PORT: 'http', LEAKWATCH_DOMAIN_VERIFICATION_DAYS: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('LEAKWATCH_INGEST_MAX_BYTES must be a whole number');
    expect(result.stderr).toContain('PORT must be a whole number');
    expect(result.stderr).toContain('LEAKWATCH_DOMAIN_VERIFICATION_DAYS must be a whole number');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('npm run start:service without (or with an unknown) LEAKWATCH_SERVICE names the services', async () => {
    for (const service of ['', 'gatewy']) {
      const result = await run(['tools/start-service.js'], { LEAKWATCH_SERVICE: service });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('LEAKWATCH_SERVICE');
      expect(result.stderr).toContain('gateway, ingest, leak-lifecycle, access-control, stats');
    }
  });
});
