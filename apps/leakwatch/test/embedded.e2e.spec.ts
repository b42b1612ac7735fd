/**
 * Embedded mode as a user runs it: `npm start`'s entry point in a real child process, on a free port,
 * with its own PostgreSQL under a fresh LEAKWATCH_DATA_DIR; then data surviving a restart.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { loadConfig, startLeakwatch } from '@leakwatch/runtime';
import { embeddedModules } from '../src/services';
import { startLeakwatchProcess } from './support/leakwatch-process';

describe('embedded mode', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-e2e-'));
    chmodSync(dataDir, 0o755); // like a directory made by mkdir; mkdtemp's 0700 would lock out the server's user
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the npm start entry point answers /health within 60 s and shuts down cleanly on SIGTERM', async () => {
    const started = Date.now();
    const app = await startLeakwatchProcess({ LOG_LEVEL: 'info' }, 60_000, dataDir); // waits for /health 200
    try {
      expect(Date.now() - started).toBeLessThan(60_000);
      const health = await fetch(`${app.url}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, event_store: { status: 'up' } } });
      const pgPid = Number(readFileSync(path.join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
      expect(pgPid).toBeGreaterThan(0);

      expect(await app.stop()).toBe(0); // SIGTERM
      // The embedded PostgreSQL went down with the app.
      expect(() => process.kill(pgPid, 0)).toThrow();
      // Logs are JSON lines.
      const jsonLines = app.output().split('\n').filter((l) => l.startsWith('{'));
      expect(jsonLines.length).toBeGreaterThan(0);
      for (const line of jsonLines) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
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
