/**
 * The shared all-stream reader of the PostgreSQL adapter, against real PostgreSQL: subscribers of one store, several
 * per filter, get exactly what separate reads of the store give them (the truth here is `readAllPage` with each
 * one's own filter), while the store reads and decodes each page once per filter; a slow subscriber neither
 * blocks a fast one nor makes the reader buffer without bound; a late one catches up; the gap-free horizon
 * holds for all of them; and what they share is frozen.
 */
import { Pool } from 'pg';
import { eventually, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { AllStreamFilter, GlobalPosition, PostgresEventStore, RecordedEvent, Subscription, comparePositions, decodePosition, encodePosition } from '../src';
import { newEvent, readEverything, readFiltered, uniqueStream } from './event-store.contract';
import { gatedPool } from './gated-pool';

let pg: ThrowawayPostgres;
let url: string;
const pools: Pool[] = [];
const quietPool = (connectionString: string) => {
  const pool = new Pool({ connectionString, max: 6 });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
};
beforeAll(async () => {
  pg = await startThrowawayPostgres();
  url = await pg.newDatabase('shared_reader');
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await pg?.stop();
});

/** What one subscriber was given: its events, and every page's position (its checkpoints). */
function recorder() {
  const events: RecordedEvent[] = [];
  const positions: GlobalPosition[] = [];
  return {
    events,
    positions,
    get checkpoint() {
      return positions[positions.length - 1];
    },
    onPage: async (page: { events: RecordedEvent[]; position: GlobalPosition }) => {
      events.push(...page.events);
      positions.push(page.position);
    },
  };
}

const ids = (events: RecordedEvent[]) => events.map((e) => e.id);
const end = async (store: PostgresEventStore) => {
  const all = await readEverything(store);
  return all[all.length - 1].position;
};

/** Appends of several categories and types from `writers` concurrent writers, some of them several events at once. */
async function appendMix(store: PostgresEventStore, rounds: number, writers = 4) {
  const types = ['Opened', 'Changed', 'Closed'];
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < rounds; i++) {
        const category = ['alpha', 'beta', 'gamma', 'noise'][(i + w) % 4];
        const count = 1 + ((i * 7 + w) % 3);
        const events = Array.from({ length: count }, (_, k) => newEvent(types[(i + k + w) % 3], { w, i, k }));
        await store.appendToStream(uniqueStream(category), events, { expectedRevision: 'no_stream' });
      }
    }),
  );
}

/** Several subscribers per filter (one lane each; the order of categories does not matter), and a few alone. */
const FILTERS: Array<[string, AllStreamFilter | undefined]> = [
  ['alpha', { streamCategories: ['alpha'] }],
  ['alpha again', { streamCategories: ['alpha'] }],
  ['alpha a third time', { streamCategories: ['alpha'] }],
  ['alpha+beta', { streamCategories: ['alpha', 'beta'] }],
  ['beta+alpha', { streamCategories: ['beta', 'alpha'] }],
  ['beta Opened/Closed', { streamCategories: ['beta'], eventTypes: ['Opened', 'Closed'] }],
  ['Changed anywhere', { eventTypes: ['Changed'] }],
  ['everything', undefined],
  ['everything again', undefined],
];
const BATCH = [500, 37, 100, 10, 500, 64, 50, 200, 7];
const COALESCE = [20, 0, 50, 5, 20, 50, 0, 10, 30];

describe('PostgreSQL shared all-stream reader', () => {
  it('subscribers with different filters at the same position get exactly what separate reads give, each page read once per filter', async () => {
    const store = await PostgresEventStore.create(quietPool(url), { pollIntervalMs: 100, sharedReadBuffer: 5000 });
    const writer = await PostgresEventStore.create(quietPool(url), { sharedReadBuffer: 0 });
    const from = (await readEverything(store)).pop()?.position;
    const subscribers = FILTERS.map(([, filter], i) => {
      const seen = recorder();
      // Different page sizes and coalescing, both delivery modes: they drift apart and meet again in the buffer.
      const subscription = store.subscribeToAll({
        after: from,
        filter,
        batchSize: BATCH[i],
        coalesceMs: COALESCE[i],
        ...(i % 2 ? { onPage: seen.onPage } : { onEvent: async (e: RecordedEvent) => void (await seen.onPage({ events: [e], position: e.position })) }),
      });
      return { seen, subscription, filter };
    });
    try {
      // Half through this store (its subscribers are told at once), half through another (only NOTIFY and the poll).
      await Promise.all([appendMix(store, 60), appendMix(writer, 60)]);
      const last = await end(store);
      let separate = 0;
      for (const [i, { seen, filter }] of subscribers.entries()) {
        const truth = filter ? (await readFiltered(store, filter, from)).events : await readEverything(store, from);
        separate += truth.length;
        await eventually(`subscriber "${FILTERS[i][0]}" got its ${truth.length} events`, () => seen.events.length, (n) => n >= truth.length);
        expect(ids(seen.events)).toEqual(ids(truth));
        expect(seen.events).toEqual(truth);
        // Checkpoints only move forwards; a page subscriber's reaches the end although its last events were others'.
        expect(seen.positions.every((p, k) => k === 0 || comparePositions(p, seen.positions[k - 1]) >= 0)).toBe(true);
        if (i % 2) {
          await eventually(`subscriber "${FILTERS[i][0]}" reached ${encodePosition(last)}`, () => encodePosition(seen.checkpoint), (c) => comparePositions(decodePosition(c), last) >= 0);
        }
      }
      const stats = store.sharedReader?.stats;
      expect(stats?.sharedReads).toBeGreaterThan(0);
      // Read once per filter, not once per subscriber: 9 separate readers would decode about twice as many.
      expect(stats?.eventsRead).toBeLessThan(separate * 0.75);
    } finally {
      await Promise.all(subscribers.map((s) => s.subscription.stop()));
      await store.close();
      await writer.close();
    }
  }, 60_000);

  it('with polling off, two subscribers that share pages both get every one of many single appends (no wakeup lost to a buffered answer)', async () => {
    const store = await PostgresEventStore.create(quietPool(url), { pollIntervalMs: 600_000, sharedReadBuffer: 5000 });
    const from = await end(store);
    const fast = recorder();
    const slow = recorder();
    const filter = { streamCategories: ['single'] };
    const subscriptions = [
      store.subscribeToAll({ after: from, filter, coalesceMs: 0, onPage: fast.onPage }),
      store.subscribeToAll({ after: from, filter, coalesceMs: 30, onPage: slow.onPage }),
    ];
    try {
      const streams: string[] = [];
      for (let i = 0; i < 60; i++) {
        const stream = uniqueStream('single');
        streams.push(stream);
        await store.appendToStream(stream, [newEvent('One')], { expectedRevision: 'no_stream' });
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 15));
      }
      for (const seen of [fast, slow]) {
        await eventually('all 60 delivered', () => seen.events.length, (n) => n === 60, { timeoutMs: 20_000 });
        expect(seen.events.map((e) => e.streamId)).toEqual(streams);
      }
    } finally {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await store.close();
    }
  }, 60_000);

  it('a slow subscriber neither blocks nor loses events of a fast one, and the buffer stays bounded', async () => {
    const maxBuffered = 50;
    const store = await PostgresEventStore.create(quietPool(url), { pollIntervalMs: 100, sharedReadBuffer: maxBuffered });
    const from = await end(store);
    const filter = { streamCategories: ['pace'] };
    const fast = recorder();
    const slow = recorder();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let peak = 0;
    const subscriptions: Subscription[] = [
      store.subscribeToAll({ after: from, filter, batchSize: 20, onPage: async (page) => {
        peak = Math.max(peak, store.sharedReader?.bufferedEvents ?? 0);
        await fast.onPage(page);
      } }),
      store.subscribeToAll({ after: from, filter, batchSize: 20, onPage: async (page) => {
        await slow.onPage(page);
        await gate; // stuck on its first page until the fast one has everything
      } }),
    ];
    try {
      const streams = Array.from({ length: 300 }, () => uniqueStream('pace'));
      for (let i = 0; i < streams.length; i += 10) {
        await store.appendToStreams(streams.slice(i, i + 10).map((s) => ({ streamId: s, events: [newEvent('Step')], expectedRevision: 'no_stream' as const })));
      }
      await eventually('the fast one has all 300', () => fast.events.length, (n) => n === 300);
      expect(slow.events.length).toBeLessThanOrEqual(20);
      // Bounded: at most the limit plus one page of a shared read.
      expect(peak).toBeLessThanOrEqual(maxBuffered + 20);
      expect(store.sharedReader?.bufferedEvents).toBeLessThanOrEqual(maxBuffered + 20);
      release();
      await eventually('the slow one has all 300 too', () => slow.events.length, (n) => n === 300);
      expect(fast.events.map((e) => e.streamId)).toEqual(streams);
      expect(slow.events.map((e) => e.streamId)).toEqual(streams);
    } finally {
      release();
      await Promise.all(subscriptions.map((s) => s.stop()));
      await store.close();
    }
  }, 60_000);

  it('a late subscriber from the start catches up on its own while the others keep sharing, then all agree', async () => {
    const store = await PostgresEventStore.create(quietPool(url), { pollIntervalMs: 100, sharedReadBuffer: 5000 });
    const filter = { streamCategories: ['late', 'alpha'] };
    const early = [recorder(), recorder()];
    const begin = await end(store);
    const subscriptions = early.map((seen, i) => store.subscribeToAll({ after: begin, filter: i ? filter : undefined, coalesceMs: 10, onPage: seen.onPage }));
    const late = recorder();
    try {
      const streams = Array.from({ length: 200 }, () => uniqueStream('late'));
      for (const stream of streams.slice(0, 100)) await store.appendToStream(stream, [newEvent('Early')], { expectedRevision: 'no_stream' });
      const ownBefore = store.sharedReader?.stats.ownReads ?? 0;
      subscriptions.push(store.subscribeToAll({ filter, batchSize: 50, onPage: late.onPage })); // from the very start
      for (const stream of streams.slice(100)) await store.appendToStream(stream, [newEvent('Later')], { expectedRevision: 'no_stream' });
      const last = await end(store);
      for (const seen of [...early, late]) await eventually('caught up', () => seen.checkpoint, (c) => !!c && comparePositions(c, last) >= 0);
      expect(ids(late.events)).toEqual(ids((await readFiltered(store, filter)).events));
      expect(ids(early[1].events)).toEqual(ids((await readFiltered(store, filter, begin)).events));
      expect(ids(early[0].events)).toEqual(ids(await readEverything(store, begin)));
      expect(store.sharedReader?.stats.ownReads).toBeGreaterThan(ownBefore); // it read the old part itself
    } finally {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await store.close();
    }
  }, 60_000);

  it('while a transaction is held open, no sharing subscriber gets anything past it; after it commits all get everything in order', async () => {
    const store = await PostgresEventStore.create(quietPool(url), { pollIntervalMs: 50, sharedReadBuffer: 5000 });
    const gated = gatedPool(url, quietPool);
    const slowStore = await PostgresEventStore.create(gated.pool, { sharedReadBuffer: 0 });
    const from = await end(store);
    const filters: Array<AllStreamFilter | undefined> = [
      undefined, { streamCategories: ['held', 'after'] }, { streamCategories: ['after'] }, { eventTypes: ['Held'] },
      undefined, { streamCategories: ['after', 'held'] }, { streamCategories: ['after'] }, { eventTypes: ['Held'] },
    ];
    const seen = filters.map(() => recorder());
    const subscriptions = filters.map((filter, i) => store.subscribeToAll({ after: from, filter, coalesceMs: 5 * (i % 4), onPage: seen[i].onPage }));
    try {
      const hold = gated.hold();
      const held = slowStore.appendToStream(uniqueStream('held'), [newEvent('Held')], { expectedRevision: 'no_stream' });
      await hold.atCommit;
      const later = Array.from({ length: 15 }, () => uniqueStream('after'));
      for (const stream of later) await store.appendToStream(stream, [newEvent('After')], { expectedRevision: 'no_stream' });
      await new Promise((r) => setTimeout(r, 1500));
      for (const s of seen) expect(s.events).toEqual([]);
      hold.release('commit');
      await held;
      const last = await end(store);
      for (const s of seen) await eventually('caught up', () => s.checkpoint, (c) => !!c && comparePositions(c, last) >= 0);
      for (const k of [0, 4]) {
        expect(seen[k].events.map((e) => e.type)).toEqual(['Held', ...later.map(() => 'After')]);
        expect(seen[k + 1].events.map((e) => e.type)).toEqual(['Held', ...later.map(() => 'After')]);
        expect(seen[k + 2].events.map((e) => e.streamId)).toEqual(later);
        expect(seen[k + 3].events.map((e) => e.type)).toEqual(['Held']);
      }
    } finally {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await slowStore.close();
      await store.close();
    }
  }, 60_000);

  it('hands out frozen events: a handler that changes one fails instead of changing what the others see', async () => {
    const store = await PostgresEventStore.create(quietPool(url), { pollIntervalMs: 50, sharedReadBuffer: 5000 });
    const from = await end(store);
    const errors: unknown[] = [];
    const other = recorder();
    const subscriptions = [
      store.subscribeToAll({ after: from, filter: { streamCategories: ['frozen'] }, onEvent: (e) => void ((e.data as { n: number }).n = 2), onError: (error) => errors.push(error) }),
      store.subscribeToAll({ after: from, filter: { streamCategories: ['frozen'] }, onPage: other.onPage }),
    ];
    try {
      await store.appendToStream(uniqueStream('frozen'), [newEvent('Cold', { n: 1, nested: { list: [1] } })], { expectedRevision: 'no_stream' });
      await eventually('the changing handler failed', () => errors.length, (n) => n === 1);
      expect(errors[0]).toBeInstanceOf(TypeError);
      await eventually('the other one got it', () => other.events.length, (n) => n === 1);
      expect(other.events[0].data).toEqual({ n: 1, nested: { list: [1] } });
      expect(Object.isFrozen((other.events[0].data as { nested: { list: number[] } }).nested.list)).toBe(true);
    } finally {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await store.close();
    }
  });
});
