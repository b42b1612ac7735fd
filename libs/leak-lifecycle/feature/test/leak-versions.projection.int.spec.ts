/**
 * The temporal read model (`ll_leak_versions`, behind `GET /api/v1/leaks?as_of=`): at any moment, the versions
 * valid then are exactly what the domain's replay of each leak's events up to that moment gives (`leakAsOf`,
 * the single-leak `?as_of=`), including a late attempt stamped before the event recorded ahead of it; and the
 * rows are the same whether events come one by one, in pages of any size, or twice (at-least-once delivery).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { EventMetadata, InMemoryEventStore, RecordedEvent, decideAndAppend } from '@leakwatch/event-store';
import { LeakCommand, LeakDetectedData, leakAggregate, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { leakAsOf } from '../src/read-model/leak-as-of';
import { toView } from '../src/read-model/leak-queries';
import { leakVersionsProjection } from '../src/read-model/leak-versions.projection';

const minute = (m: number) => new Date(Date.UTC(2026, 0, 1) + m * 60_000).toISOString();
const finding = (leakid: string, source: string): Omit<LeakDetectedData, 'detected_at'> => ({
  leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)', identity: null,
  site: null, org_id: 'o1', source: { name: source }, risk: 'high', blockable: true, finding_id: randomUUID(),
});

describe('leak versions projection (as_of on lists)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let events: RecordedEvent[];

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('leak_versions');
    const store = new InMemoryEventStore();
    let clock = 0;
    for (let i = 0; i < 6; i++) {
      const id = randomUUID().replace(/-/g, '');
      const at = () => minute((clock += 3));
      const steps: LeakCommand[] = [
        { type: 'RecordFinding', finding: finding(id, 'gitleaks'), at: minute(clock) },
        { type: 'SetVirtualPatch', enabled: true },
        { type: 'RecordFinding', finding: { ...finding(id, i % 2 ? 'pastebin' : 'gitleaks') }, at: minute(clock + 1) },
        { type: 'ChangeStatus', to: i % 3 ? 'fixed' : 'false_positive' },
        { type: 'RecordFinding', finding: finding(id, 'github'), at: minute(clock + 2) }, // a fixed leak reopens
        { type: 'RecordTokenUseAttempt', at: minute(clock) },
      ];
      for (const command of steps) {
        const time = at();
        // The last attempt is reported late: stamped before the events recorded ahead of it.
        const meta: EventMetadata = { occurred_at: command.type === 'RecordTokenUseAttempt' && i % 2 ? minute(clock - 10) : time };
        await decideAndAppend(store, leakStream(id), leakAggregate, command, meta);
      }
    }
    events = await store.readAll();
  });
  afterAll(async () => pg?.stop());

  async function project(apply: (client: PoolClient) => Promise<void>): Promise<Record<string, unknown>[]> {
    const client = await pool.connect();
    try {
      await client.query('DROP TABLE IF EXISTS ll_leak_versions');
      await leakVersionsProjection.setup(client);
      await apply(client);
      return (await client.query('SELECT * FROM ll_leak_versions ORDER BY leakid, revision')).rows;
    } finally {
      client.release();
    }
  }
  const oneByOne = (sequence: RecordedEvent[]) => project(async (client) => {
    for (const event of sequence) if (leakVersionsProjection.canHandle(event)) await leakVersionsProjection.apply(event, client);
  });
  const inPages = (sequence: RecordedEvent[], size: number) => project(async (client) => {
    for (let i = 0; i < sequence.length; i += size) await leakVersionsProjection.applyPage?.(sequence.slice(i, i + size), client);
  });

  it('the versions valid at any moment are the domain replay of each leak up to that moment', async () => {
    const rows = await oneByOne(events);
    expect(rows.length).toBe(events.length);
    const byStream = new Map<string, RecordedEvent[]>();
    for (const e of events) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e]);
    const times = [...new Set(events.map((e) => Date.parse(e.metadata.occurred_at as string)))];
    const instants = [...times, ...times.map((t) => t - 1), ...times.map((t) => t + 30_000)].map((t) => new Date(t).toISOString());
    for (const t of instants) {
      const { rows: valid } = await pool.query(`SELECT * FROM ll_leak_versions WHERE tstzrange(valid_from, valid_to, '[)') @> $1::timestamptz ORDER BY leakid`, [t]);
      const expected = [...byStream.values()]
        .map((stream) => leakAsOf(stream.map((e) => ({ type: e.type, data: e.data, revision: e.revision, time: e.metadata.occurred_at as string })), t))
        .filter((v) => v !== undefined)
        .map(({ as_of: _asOf, ...view }) => ({ ...view, type: null }))
        .sort((a, b) => a.leakid.localeCompare(b.leakid));
      expect({ t, rows: valid.map(toView) }).toEqual({ t, rows: expected });
    }
  });

  it('gives the same rows one by one, in pages of any size, and with every event delivered twice', async () => {
    const once = await oneByOne(events);
    expect(await oneByOne(events.flatMap((e) => [e, e]))).toEqual(once);
    for (const size of [1, 4, 7, 500]) expect(await inPages(events, size)).toEqual(once);
    expect(await inPages([...events, ...events], 9)).toEqual(once);
    expect(await project(async (client) => {
      await leakVersionsProjection.applyPage?.(events, client);
      await leakVersionsProjection.applyPage?.(events.filter((e) => e.revision <= 2), client); // older events redelivered
    })).toEqual(once);
  });
});
