/**
 * The leak read model is idempotent: replaying every event a second time (at-least-once delivery)
 * or out of order leaves exactly the rows a single ordered pass produced.
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { InMemoryEventStore, RecordedEvent, decideAndAppend } from '@leakwatch/event-store';
import { LeakDetectedData, leakAggregate, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { leaksProjection } from '../src/read-model/leaks.projection';

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
    const [row] = (await project(events)) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ sightings: 2, sources: ['gitleaks', 'trufflehog'], attempts: 1, identity_domain: 'acme.example' });
  });
});
