import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { PostgresEventStore, RecordedEvent } from '@leakwatch/event-store';
import { eventually, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { Projection, ProjectionRunner, resetProjections } from '../src';

/** Sample read model: last type and revision per stream, guarded by revision (idempotent). */
const latestPerStream: Projection = {
  name: 'latest',
  tables: ['t_latest'],
  setup: async (client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS t_latest (stream_id text PRIMARY KEY, revision int NOT NULL, last_type text NOT NULL, seen int NOT NULL)`);
  },
  canHandle: (event: RecordedEvent) => event.streamId.startsWith('item-'),
  apply: async (event, client) => {
    await client.query(
      `INSERT INTO t_latest (stream_id, revision, last_type, seen) VALUES ($1, $2, $3, 1)
       ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision, last_type = EXCLUDED.last_type, seen = t_latest.seen + 1
       WHERE t_latest.revision < EXCLUDED.revision`,
      [event.streamId, event.revision, event.type],
    );
  },
};

describe('projection runner', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let store: PostgresEventStore;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('projections');
    store = await PostgresEventStore.create(pool, { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  const append = (stream: string, types: string[], expected: number | 'no_stream') =>
    store.appendToStream(stream, types.map((type) => ({ id: randomUUID(), type, data: {} })), { expectedRevision: expected });
  const table = async () => (await pool.query(`SELECT stream_id, revision, last_type, seen FROM t_latest ORDER BY stream_id`)).rows;

  it('applies events, waits for a position, resumes after restart, and rebuilds to the same tables', async () => {
    const runner = new ProjectionRunner('test-runner', store, pool, [latestPerStream]);
    await runner.start();
    await append('item-a', ['Created', 'Renamed'], 'no_stream');
    await append('other-x', ['Ignored'], 'no_stream');
    const last = await append('item-b', ['Created'], 'no_stream');
    expect(await runner.waitFor(last.position)).toBe(true);
    expect(await table()).toEqual([
      { stream_id: 'item-a', revision: 1, last_type: 'Renamed', seen: 2 },
      { stream_id: 'item-b', revision: 0, last_type: 'Created', seen: 1 },
    ]);
    await runner.stop();

    // While stopped, more happens; a new runner resumes from the checkpoint: nothing is applied twice.
    const more = await append('item-a', ['Closed'], 1);
    const resumed = new ProjectionRunner('test-runner', store, pool, [latestPerStream]);
    await resumed.start();
    expect(await resumed.waitFor(more.position)).toBe(true);
    const live = await table();
    expect(live).toEqual([
      { stream_id: 'item-a', revision: 2, last_type: 'Closed', seen: 3 },
      { stream_id: 'item-b', revision: 0, last_type: 'Created', seen: 1 },
    ]);
    await resumed.stop();

    // Rebuild from zero gives the same tables.
    await resetProjections(pool, 'test-runner', [latestPerStream]);
    expect(await table()).toEqual([]);
    const rebuilt = new ProjectionRunner('test-runner', store, pool, [latestPerStream]);
    await rebuilt.start();
    expect(await rebuilt.waitFor(more.position)).toBe(true);
    expect(await table()).toEqual(live);
    await rebuilt.stop();
  });

  it('passes over events no projection handles: the checkpoint reaches the last event', async () => {
    const runner = new ProjectionRunner('skipping', store, pool, [latestPerStream]);
    await runner.start();
    let last;
    for (let i = 0; i < 6; i++) last = await append(`other-${randomUUID()}`, Array.from({ length: 200 }, () => 'Ignored'), 'no_stream');
    expect(await runner.waitFor(last!.position)).toBe(true);
    const saved = async () => (await pool.query(`SELECT position FROM projection_checkpoints WHERE name = 'skipping'`)).rows[0]?.position;
    // Saved without a transaction per page once things are quiet, and on stop.
    const target = `${last!.position.commit}/${last!.position.prepare}`;
    expect(await eventually('the checkpoint is saved at the last position', saved, (position) => position === target, { timeoutMs: 4_000 })).toBe(target);
    const more = await append(`other-${randomUUID()}`, ['Ignored'], 'no_stream');
    expect(await runner.waitFor(more.position)).toBe(true);
    await runner.stop();
    expect(await saved()).toBe(`${more.position.commit}/${more.position.prepare}`);
  });

  it('reads only what its projections handle: a page of other events moves the checkpoint without applying', async () => {
    const filtered = { ...latestPerStream, filter: { streamCategories: ['item'] } };
    const runner = new ProjectionRunner('filtered', store, pool, [filtered]);
    expect(runner.filter).toEqual({ streamCategories: ['item'] });
    await runner.start();
    const noise = await append(`noise-${randomUUID()}`, ['Ignored'], 'no_stream');
    expect(await runner.waitFor(noise.position)).toBe(true);
    await runner.stop();
    const saved = (await pool.query(`SELECT position FROM projection_checkpoints WHERE name = 'filtered'`)).rows[0]?.position;
    expect(saved).toBe(`${noise.position.commit}/${noise.position.prepare}`);
  });

  it('parks an event that keeps failing, moves on, and applies it when an operator asks for a retry', async () => {
    let broken = true;
    const fragile: Projection = {
      ...latestPerStream,
      name: 'fragile',
      tables: ['t_fragile'],
      setup: async (client) => {
        await client.query(`CREATE TABLE IF NOT EXISTS t_fragile (stream_id text PRIMARY KEY, revision int NOT NULL)`);
      },
      canHandle: (event) => event.streamId.startsWith('poison-') || event.streamId.startsWith('fine-'),
      filter: { streamCategories: ['poison', 'fine'] },
      apply: async (event, client) => {
        // A deliberately broken event: its `source` is an array where the read model needs an object's name.
        const source = (event.data as { source?: unknown }).source;
        const name = broken && Array.isArray(source) ? null : 'ok';
        await client.query(
          `INSERT INTO t_fragile (stream_id, revision) SELECT $1, $2 WHERE $3::text IS NOT NULL OR (SELECT 1/0) = 1
           ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision WHERE t_fragile.revision < EXCLUDED.revision`,
          [event.streamId, event.revision, name],
        );
      },
    };
    const runner = new ProjectionRunner('fragile-runner', store, pool, [fragile], { maxAttempts: 2, retryPollMs: 100 });
    await runner.start();
    const poison = `poison-${randomUUID()}`;
    await store.appendToStream(poison, [{ id: randomUUID(), type: 'LeakDetected', data: { source: [] } }], { expectedRevision: 'no_stream' });
    const after = await append(`fine-${randomUUID()}`, ['Created'], 'no_stream');
    expect(await runner.waitFor(after.position, 15_000)).toBe(true); // the group moved on past the poison event
    expect(runner.healthy).toBe(true);
    const rows = async () => (await pool.query(`SELECT stream_id FROM t_fragile ORDER BY stream_id`)).rows.map((r) => (r.stream_id as string).split('-')[0]);
    expect(await rows()).toEqual(['fine']);
    const [parked] = await runner.parked.list({ consumer: 'projection:fragile-runner' });
    expect(parked).toMatchObject({ event_type: 'LeakDetected', stream_id: poison, stream_revision: 0, attempts: 2, state: 'parked' });
    expect(parked.error).toMatch(/division by zero/);
    expect(await runner.parked.counts()).toMatchObject({ 'projection:fragile-runner': 1 });

    broken = false; // the bug is fixed; the operator retries
    expect(await runner.parked.requestRetry('projection:fragile-runner', 'all')).toBe(1);
    expect(await eventually('the retried event is applied', () => runner.parked.list({ consumer: 'projection:fragile-runner' }), (list) => list.length === 0, { timeoutMs: 10_000 })).toEqual([]);
    expect(await rows()).toEqual(['fine', 'poison']);
    await runner.stop();
  });

  it('waitFor times out (false) when the position is never reached', async () => {
    const runner = new ProjectionRunner('never', store, pool, [latestPerStream]);
    expect(await runner.waitFor({ commit: 10n ** 15n, prepare: 0n }, 200)).toBe(false);
  });
});
