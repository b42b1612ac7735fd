/**
 * Two replicas of one service run the same relay (same checkpoint name) against one PostgreSQL store: a
 * leader lock lets only one publish at a time, so no event is published twice while both are healthy; when
 * the leader's database session dies (crash, kill -9, network), the standby takes over from the checkpoint
 * and nothing is lost.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { NewEvent, PostgresEventStore } from '@leakwatch/event-store';
import { LeaderLock } from '@leakwatch/pg';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { CloudEvent, EventRelay, MessageBus, PostgresCheckpointStore } from '../src';
import { recordingLogger, waitFor } from './helpers';

class RecordingBus implements MessageBus {
  readonly ids: string[] = [];
  async publish(_topic: string, events: readonly CloudEvent[]): Promise<void> {
    for (const e of events) this.ids.push(e.id);
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  async close(): Promise<void> {
    this.ids.length = 0;
  }
}

let pg: ThrowawayPostgres;
let pool: Pool;
let url: string;
let store: PostgresEventStore;

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  url = await pg.newDatabase('replicas');
  pool = new Pool({ connectionString: url, max: 10 });
  pool.on('error', () => undefined); // idle clients see the server stop at teardown
  store = await PostgresEventStore.create(pool, { pollIntervalMs: 20 });
});
afterAll(async () => {
  await store?.close();
  await pool?.end();
  await pg?.stop();
});

const leakEvents = (n: number): NewEvent[] => Array.from({ length: n }, () => ({ id: randomUUID(), type: 'LeakSighted', data: { leakid: 'ab'.repeat(16) } }));

async function replica(name: string, bus: RecordingBus) {
  const relay = new EventRelay({
    store, bus, checkpoints: await PostgresCheckpointStore.create(pool), name: 'relay:leak-lifecycle', service: 'leak-lifecycle',
    lingerMs: 5, logger: recordingLogger(),
  });
  const lock = new LeaderLock({
    connection: { connectionString: url, application_name: `replica-${name}` },
    name: 'leakwatch:relay:leak-lifecycle',
    retryMs: 100,
    onLead: () => relay.start(),
    onStepDown: () => relay.stop(),
  });
  lock.start();
  return { relay, lock };
}

it('only the leader publishes; the standby takes over when the leader session dies, losing nothing', async () => {
  const busA = new RecordingBus();
  const busB = new RecordingBus();
  const a = await replica('a', busA);
  const b = await replica('b', busB);
  try {
    await waitFor(() => a.lock.isLeader || b.lock.isLeader, 'a leader');
    const [leader, standby] = a.lock.isLeader ? [a, b] : [b, a];
    const [leaderBus, standbyBus] = a.lock.isLeader ? [busA, busB] : [busB, busA];

    const first = leakEvents(300);
    for (let i = 0; i < first.length; i += 30) {
      await store.appendToStream(`leak-${'ab'.repeat(16)}`, first.slice(i, i + 30), { expectedRevision: 'any' });
    }
    await waitFor(() => leaderBus.ids.length >= first.length, 'the leader published the first events');
    // Both replicas have been running all along: each event was published exactly once, by the leader.
    expect(new Set(leaderBus.ids).size).toBe(first.length);
    expect(leaderBus.ids).toHaveLength(first.length);
    expect(standbyBus.ids).toEqual([]);
    expect(standby.lock.isLeader).toBe(false);

    // The leader's session dies as in a crash: the server ends it, the advisory lock is released.
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [
      leader === a ? 'replica-a' : 'replica-b',
    ]);
    await waitFor(() => standby.lock.isLeader, 'the standby leads');
    expect(leader.lock.isLeader).toBe(false);

    const second = leakEvents(100);
    await store.appendToStream(`leak-${'ab'.repeat(16)}`, second, { expectedRevision: 'any' });
    await waitFor(() => second.every((e) => standbyBus.ids.includes(e.id)), 'the new leader published the new events');
    // Nothing lost; at most the old leader's last unsaved batch is published again (consumers deduplicate by id).
    const all = new Set([...leaderBus.ids, ...standbyBus.ids]);
    expect([...first, ...second].every((e) => all.has(e.id))).toBe(true);
    expect(second.filter((e) => leaderBus.ids.includes(e.id))).toEqual([]);
  } finally {
    await a.lock.stop();
    await b.lock.stop();
  }
}, 60_000);
