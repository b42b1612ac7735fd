/**
 * The leak read model is idempotent: replaying every event a second time (at-least-once delivery)
 * or out of order leaves exactly the rows a single ordered pass produced.
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { GlobalPosition, InMemoryEventStore, PostgresEventStore, RecordedEvent, decideAndAppend } from '@leakwatch/event-store';
import { LeakDetectedData, leakAggregate, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { ParkedEvents } from '@leakwatch/projections';
import { HealthRegistry } from '@leakwatch/runtime';
import { eventually, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { LeaksProjectionRunner } from '../src/application/leaks-projection-runner';
import { LeakQueries } from '../src/read-model/leak-queries';
import { leaksProjection } from '../src/read-model/leaks.projection';
import { LEAK_PROJECTION_RUNNER } from '../src/read-model/registry';

const finding = (leakid: string): Omit<LeakDetectedData, 'detected_at'> => ({
  leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)', identity: { email: 'dev@acme.example' },
  site: null, org_id: 'o1', source: { name: 'gitleaks' }, risk: 'high', blockable: true, finding_id: randomUUID(),
});

describe('leaks projection', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let events: RecordedEvent[];

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('leaks_projection');
    const store = new InMemoryEventStore();
    const ids = Array.from({ length: 5 }, () => randomUUID().replace(/-/g, ''));
    for (const [i, id] of ids.entries()) {
      const stream = leakStream(id);
      await decideAndAppend(store, stream, leakAggregate, { type: 'RecordFinding', finding: finding(id), at: `2026-01-0${i + 1}T00:00:00.000Z` }, {});
      await decideAndAppend(store, stream, leakAggregate, { type: 'RecordFinding', finding: { ...finding(id), source: { name: 'trufflehog' } }, at: '2026-02-01T00:00:00.000Z' }, {});
      await decideAndAppend(store, stream, leakAggregate, { type: 'SetVirtualPatch', enabled: true }, {});
      if (i % 2) await decideAndAppend(store, stream, leakAggregate, { type: 'ChangeStatus', to: 'fixed' }, { occurred_at: '2026-03-01T00:00:00.000Z' });
      await decideAndAppend(store, stream, leakAggregate, { type: 'RecordTokenUseAttempt', at: '2026-03-02T00:00:00.000Z' }, {});
      // Four repeats a gateway folded into one event (the first leak only): they count as four.
      if (i === 0) await decideAndAppend(store, stream, leakAggregate, { type: 'RecordTokenUseAttempt', at: '2026-03-03T00:00:05.000Z', count: 4, firstAt: '2026-03-03T00:00:01.000Z' }, {});
    }
    events = await store.readAll();
  });
  afterAll(async () => pg?.stop());

  async function project(sequence: RecordedEvent[]): Promise<unknown[]> {
    const client: PoolClient = await pool.connect();
    try {
      await client.query('DROP TABLE IF EXISTS ll_leaks');
      await leaksProjection.setup(client);
      for (const event of sequence) if (leaksProjection.canHandle(event)) await leaksProjection.apply(event, client);
      return (await client.query('SELECT * FROM ll_leaks ORDER BY leakid')).rows;
    } finally {
      client.release();
    }
  }

  it('gives the same rows when every event is delivered twice', async () => {
    const once = await project(events);
    expect(once).toHaveLength(5);
    expect(once.filter((r) => (r as { status: string }).status === 'fixed')).toHaveLength(2);
    const twice = await project(events.flatMap((e) => [e, e]));
    expect(twice).toEqual(once);
  });

  it('ignores an older event redelivered after newer ones', async () => {
    const once = await project(events);
    const replayedEarly = await project([...events, ...events.filter((e) => e.revision <= 1)]);
    expect(replayedEarly).toEqual(once);
  });

  it('a page applied set-based (applyPage) gives the rows of event-by-event apply, also when replayed', async () => {
    const once = await project(events);
    const client: PoolClient = await pool.connect();
    try {
      await client.query('DROP TABLE IF EXISTS ll_leaks');
      await leaksProjection.setup(client);
      const mine = events.filter((e) => leaksProjection.canHandle(e));
      // Detections first in one run (as an ingest's page), then the rest: the same order as the store.
      const ordered = [...mine].sort((a, b) => (a.position.prepare < b.position.prepare ? -1 : 1));
      await leaksProjection.applyPage?.(ordered, client);
      await leaksProjection.applyPage?.(ordered, client);
      expect((await client.query('SELECT * FROM ll_leaks ORDER BY leakid')).rows).toEqual(once);
    } finally {
      client.release();
    }
  });

  it('reflects sightings, sources, patch and attempts', async () => {
    const rows = (await project(events)) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.attempts).sort()).toEqual([1, 1, 1, 1, 5]); // the first leak: one attempt, then four folded into one event
    expect(rows.find((r) => r.attempts === 1)).toMatchObject({ sightings: 2, sources: ['gitleaks', 'trufflehog'], identity_domain: 'acme.example' });
  });
});

/**
 * Issue 15.1: one stored `LeakDetected` whose `source` is an array (`POST /api/v1/leaks {"source":[]}` was
 * accepted before the validation was fixed) made `ll_leaks` fail on `null value in column "source"` and stop
 * for every organisation: health 503, no new leak queryable, a restart did not help. Such an event, already in
 * a store, is written straight to it here; the runner the process runs (`LeaksProjectionRunner`, with the
 * health check it registers) must park it and go on.
 */
describe('leaks projection runner with a poison event in the store', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let store: PostgresEventStore;
  let leaks: LeaksProjectionRunner | undefined;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('leaks_parking');
    store = await PostgresEventStore.create(pool, { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await leaks?.onApplicationShutdown();
    await store?.close();
    await pg?.stop();
  });

  it('parks the LeakDetected with source [], stays healthy and projects the leaks after it', async () => {
    const id = () => randomUUID().replace(/-/g, '');
    const [before, poison, after] = [id(), id(), id()];
    const at = new Date().toISOString();
    const detect = (leakid: string) => decideAndAppend(store, leakStream(leakid), leakAggregate, { type: 'RecordFinding', finding: finding(leakid), at }, {});
    await detect(before);
    // Bypassing every validation: the event as an old version of the API stored it.
    await store.appendToStream(leakStream(poison), [{ id: randomUUID(), type: 'LeakDetected', data: { ...finding(poison), source: [], detected_at: at } }], { expectedRevision: 'no_stream' });

    const health = new HealthRegistry();
    leaks = new LeaksProjectionRunner(store, pool, health);
    leaks.onModuleInit();
    await leaks.onApplicationBootstrap();
    const checks = () => Promise.all(health.entries().map(async ([name, check]) => [name, await check().then(() => 'ok', (error: Error) => error.message)]));

    // Later events, of the poison leak's neighbours: a new leak and a decision on the one before.
    await detect(after);
    const last = await decideAndAppend(store, leakStream(before), leakAggregate, { type: 'ChangeStatus', to: 'fixed' }, {});
    expect(last.position).toBeDefined(); // a change was appended
    expect(await leaks.runner.waitFor(last.position as GlobalPosition, 30_000)).toBe(true); // past the poison event
    expect(leaks.runner.healthy).toBe(true);
    expect(await checks()).toEqual([['leak_projections', 'ok']]); // what /health answers 200 on

    const queries = new LeakQueries(pool);
    const global: Caller = { keyId: 'test', role: 'global_admin', verifiedDomains: [] };
    expect(await queries.findVisible(global, after)).toMatchObject({ leakid: after, status: 'open' });
    expect(await queries.findVisible(global, before)).toMatchObject({ leakid: before, status: 'fixed' });
    expect(await queries.findVisible(global, poison)).toBeUndefined();

    const parked = await new ParkedEvents(pool).list({ consumer: `projection:${LEAK_PROJECTION_RUNNER}` });
    expect(parked).toEqual([expect.objectContaining({ event_type: 'LeakDetected', stream_id: leakStream(poison), stream_revision: 0, state: 'parked' })]);
    expect(parked[0].error).toMatch(/source/);

    // Still running: a leak detected after all this is queryable too.
    const later = id();
    await detect(later);
    expect(await eventually('the later leak is projected', () => queries.findVisible(global, later), (leak) => leak !== undefined)).toMatchObject({ leakid: later });
    expect(await checks()).toEqual([['leak_projections', 'ok']]);
  }, 60_000);
});
