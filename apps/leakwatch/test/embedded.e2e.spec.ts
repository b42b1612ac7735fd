/**
 * Embedded mode as a user runs it: `npm start`'s entry point in a real child process, on a free port,
 * with its own PostgreSQL under a fresh LEAKWATCH_DATA_DIR; then data surviving a restart.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { freePort } from '@leakwatch/postgres-server';
import { loadConfig, startLeakwatch } from '@leakwatch/runtime';
import { embeddedModules } from '../src/services';

const root = path.resolve(__dirname, '../../..');

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no healthy answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('embedded mode', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-e2e-'));
    chmodSync(dataDir, 0o755); // like a directory made by mkdir; mkdtemp's 0700 would lock out the server's user
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the npm start entry point answers /health within 60 s and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', './tools/register.js', 'apps/leakwatch/src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), LEAKWATCH_DATA_DIR: dataDir, LOG_LEVEL: 'info', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c) => (output += c));
    child.stderr?.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const started = Date.now();
      const health = await waitForHealth(`http://127.0.0.1:${port}`, child, 60_000);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(await health.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, event_store: { status: 'up' } } });
      const pgPid = Number(readFileSync(path.join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
      expect(pgPid).toBeGreaterThan(0);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The embedded PostgreSQL went down with the app.
      expect(() => process.kill(pgPid, 0)).toThrow();
      // Logs are JSON lines.
      const jsonLines = output.split('\n').filter((l) => l.startsWith('{'));
      expect(jsonLines.length).toBeGreaterThan(0);
      for (const line of jsonLines) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  it('keeps its data across a restart', async () => {
    const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), port: 0, dataDir };
    // A category no projection or consumer reads: this test is about storage, not about leak semantics.
    const stream = `restart-${randomUUID()}`;
    const event = { id: randomUUID(), type: 'Noted', data: { note: 'kept across restarts' } };

    const first = await startLeakwatch({ name: 'all', modules: embeddedModules() }, config);
    try {
      await first.app.get<EventStore>(EVENT_STORE).appendToStream(stream, [event], { expectedRevision: 'no_stream' });
    } finally {
      await first.stop();
    }

    const second = await startLeakwatch({ name: 'all', modules: embeddedModules() }, config);
    try {
      const events = await second.app.get<EventStore>(EVENT_STORE).readStream(stream);
      expect(events.map((e) => ({ id: e.id, type: e.type, data: e.data }))).toEqual([event]);
      const health = await fetch(`${second.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
