/** `leakwatch events parked list|retry|skip` against real PostgreSQL, as an operator runs it. */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { ParkedEvents } from '@leakwatch/projections';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../..');
type RunResult = { code?: number; stdout: string; stderr: string };

describe('leakwatch events parked (CLI)', () => {
  let pg: ThrowawayPostgres;
  let url: string;
  let pool: Pool;
  const run = (args: string[]): Promise<RunResult> =>
    promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
    }).catch((error: RunResult) => error);

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    url = await pg.newDatabase('parked_cli');
    pool = new Pool({ connectionString: url });
    pool.on('error', () => undefined); // an idle client may see the server stop first
  });
  afterAll(async () => {
    await pool?.end();
    await pg?.stop();
  });

  it('lists parked events, requests a retry of one, skips the rest', async () => {
    const parked = new ParkedEvents(pool);
    const [a, b] = [randomUUID(), randomUUID()];
    await parked.park({ consumer: 'projection:leak-lifecycle', eventId: a, eventType: 'LeakDetected', streamId: 'leak-1', streamRevision: 0, error: new Error('null value in column "source"'), attempts: 5 });
    await parked.park({ consumer: 'bus:all.stats.leaks', eventId: b, eventType: 'LeakStatusChanged', payload: { id: b }, error: new Error('boom'), attempts: 5 });

    const listed = JSON.parse((await run(['events', 'parked', 'list', '--json'])).stdout) as { parked: Array<{ event_id: string; state: string; error: string }> };
    expect(listed.parked.map((p) => [p.event_id, p.state])).toEqual([[a, 'parked'], [b, 'parked']]);
    expect(listed.parked[0].error).toMatch(/null value in column "source"/);
    expect((await run(['events', 'parked', 'list'])).stdout).toMatch(/projection:leak-lifecycle/);

    expect((await run(['events', 'parked', 'retry', a])).stdout).toMatch(/Retry requested for 1 parked event\./);
    expect((await parked.retryRequests('projection:leak-lifecycle')).map((p) => p.event_id)).toEqual([a]);

    expect((await run(['events', 'parked', 'skip', '--all'])).stdout).toMatch(/Skipped 2 parked events\./);
    expect((await run(['events', 'parked', 'list'])).stdout).toMatch(/No parked events\./);
    expect(await parked.counts()).toEqual({});
    const refused = await run(['events', 'parked', 'retry']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/name the event ids, or pass --all/);
    // Six CLI processes, each compiling the sources on start: minutes on a busy 2-core machine, not seconds.
  }, 240_000);
});
