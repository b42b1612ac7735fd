import { Pool, PoolClient } from 'pg';
import { eventually, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { AllStreamFilter, GlobalPosition, PostgresEventStore, RecordedEvent } from '../src';
import { EVENTS_CHANNEL } from '../src/postgres/schema';
import { startCatchUpSubscription } from '../src/subscription/catch-up-subscription';
import { collector, describeEventStoreContract, newEvent, readEverything, uniqueStream } from './event-store.contract';
import { gatedPool } from './gated-pool';

let pg: ThrowawayPostgres;
beforeAll(async () => {
  pg = await startThrowawayPostgres();
});
afterAll(async () => pg?.stop());

describeEventStoreContract('PostgreSQL', async () => {
  const pool = await pg.newPool('contract');
  const store = await PostgresEventStore.create(pool, { pollIntervalMs: 100 });
  return { store, dispose: () => store.close(), sql: async (text, values) => (await pool.query(text, values)).rows };
});

describe('PostgreSQL all-stream never skips a late-committing transaction', () => {
  let url: string;
  let store: PostgresEventStore;
  const pools: Pool[] = [];
  const quietPool = (connectionString: string) => {
    const pool = new Pool({ connectionString, max: 4 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  beforeAll(async () => {
    url = await pg.newDatabase('gaps');
    store = await PostgresEventStore.create(quietPool(url), { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await store.close();
    await Promise.all(pools.map((p) => p.end()));
  });

  const filters: Array<[string, AllStreamFilter | undefined]> = [
    ['unfiltered', undefined],
    // Only these categories (the noise stream of another category is passed over inside PostgreSQL).
    ['filtered by stream category', { streamCategories: ['slow', 'fast', 'doomed', 'ok'] }],
    ['filtered by category and type, delivered in pages', { streamCategories: ['slow', 'fast', 'doomed', 'ok'], eventTypes: ['Slow', 'Fast', 'Doomed', 'Kept1', 'Kept2'] }],
  ];
  for (const [label, filter] of filters) {
    it(`delivers an event whose transaction stayed open for seconds while later ones committed (${label})`, async () => {
      const gated = gatedPool(url, quietPool);
      const slowStore = await PostgresEventStore.create(gated.pool);
      const seen = collector();
      const subscription = subscribe(store, last(await readEverything(store)), seen.onEvent, filter);
      try {
        const slowStream = uniqueStream('slow');
        const hold = gated.hold();
        const slowAppend = slowStore.appendToStream(slowStream, [newEvent('Slow')], { expectedRevision: 'no_stream' });
        await hold.atCommit;

        const fastStreams = Array.from({ length: 20 }, () => uniqueStream('fast'));
        for (const stream of fastStreams) await store.appendToStream(stream, [newEvent('Fast')], { expectedRevision: 'no_stream' });
        // Another category's event of the same type: a filtered subscriber must never see it.
        if (filter) await store.appendToStream(uniqueStream('noise'), [newEvent('Fast')], { expectedRevision: 'no_stream' });
        await new Promise((r) => setTimeout(r, 3000)); // several seconds with the slow transaction open

        // While the slow transaction is open, nothing after it may be handed out, or a checkpoint would pass it.
        expect(seen.seen.filter((e) => e.type === 'Fast')).toHaveLength(0);
        hold.release('commit');
        await slowAppend;

        await seen.waitFor((events) => events.length >= 21);
        await new Promise((r) => setTimeout(r, 300));
        expect(seen.seen.map((e) => e.type)).toEqual(['Slow', ...fastStreams.map(() => 'Fast')]);
        // The gap really existed: the slow event's insert sequence is lower than the fast ones that committed first.
        const slow = seen.seen[0];
        expect(seen.seen.slice(1).every((e: RecordedEvent) => e.position.prepare > slow.position.prepare)).toBe(true);
      } finally {
        await subscription.stop();
        await slowStore.close();
      }
    }, 30_000);

    it(`skips nothing and delivers nothing of a transaction that rolled back (${label})`, async () => {
      const gated = gatedPool(url, quietPool);
      const slowStore = await PostgresEventStore.create(gated.pool);
      const seen = collector();
      const subscription = subscribe(store, last(await readEverything(store)), seen.onEvent, filter);
      try {
        const doomedStream = uniqueStream('doomed');
        const hold = gated.hold();
        const doomed = slowStore.appendToStream(doomedStream, [newEvent('Doomed')], { expectedRevision: 'no_stream' });
        await hold.atCommit;
        const before = uniqueStream('ok');
        await store.appendToStream(before, [newEvent('Kept1')], { expectedRevision: 'no_stream' });
        hold.release('rollback');
        await expect(doomed).rejects.toThrow(/simulated failure/);
        await store.appendToStream(before, [newEvent('Kept2')], { expectedRevision: 0 });

        await seen.waitFor((events) => events.length >= 2);
        await new Promise((r) => setTimeout(r, 300));
        expect(seen.seen.map((e) => e.type)).toEqual(['Kept1', 'Kept2']);
        expect(await store.readStream(doomedStream)).toEqual([]);
        // The stream was never created, so the same append can be made again.
        await expect(store.appendToStream(doomedStream, [newEvent('Doomed')], { expectedRevision: 'no_stream' })).resolves.toMatchObject({
          nextExpectedRevision: 0,
        });
      } finally {
        await subscription.stop();
        await slowStore.close();
      }
    }, 30_000);
  }

  it('resumes from a checkpoint after a restart without repeating or losing events', async () => {
    const stream = uniqueStream('resume');
    await store.appendToStream(stream, [newEvent('R0'), newEvent('R1')], { expectedRevision: 'no_stream' });
    const firstRun = collector();
    const first = store.subscribeToAll({ onEvent: firstRun.onEvent });
    await firstRun.waitFor((events) => events.some((e) => e.type === 'R1'));
    await first.stop();
    const checkpoint = firstRun.seen[firstRun.seen.length - 1].position;

    await store.appendToStream(stream, [newEvent('R2')], { expectedRevision: 1 });
    const reopened = await PostgresEventStore.create(quietPool(url));
    const secondRun = collector();
    const second = reopened.subscribeToAll({ after: checkpoint, onEvent: secondRun.onEvent });
    try {
      await secondRun.waitFor((events) => events.some((e) => e.type === 'R2'));
      expect(secondRun.seen.map((e) => e.type)).toEqual(['R2']);
    } finally {
      await second.stop();
      await reopened.close();
    }
  });
});

describe('PostgreSQL subscription wakeups', () => {
  // Polling can never rescue a lost wakeup in these tests: the poll interval is ten minutes. A handler that
  // appends also waits until the store's NOTIFY for that append went out (seen by a listener of our own), so
  // every signal of it — in-process and NOTIFY — arrives while the page is still being handled.
  let store: PostgresEventStore;
  let pool: Pool;
  let listener: PoolClient;
  let notifications = 0;
  beforeAll(async () => {
    pool = await pg.newPool('wakeups');
    store = await PostgresEventStore.create(pool, { pollIntervalMs: 600_000 });
    listener = await pool.connect();
    listener.on('notification', () => notifications++);
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
  });
  afterAll(async () => {
    listener.release();
    await store.close();
  });
  const appendAndSignal = async (stream: string, type: string) => {
    const before = notifications;
    await store.appendToStream(stream, [newEvent(type)], { expectedRevision: 'no_stream' });
    await eventually('the append was announced', () => notifications, (n) => n > before);
  };

  it('delivers an append that a running transaction kept out of sight, once that transaction ends (no further signal comes)', async () => {
    // The subscription machinery itself, with reads counted and the change signal in the test's hands.
    const stream = uniqueStream('horizon');
    const delivered: string[] = [];
    let reads = 0;
    let signal: ((position?: GlobalPosition) => void) | undefined;
    const subscription = startCatchUpSubscription(
      (o) => (reads++, store.readAllPage(o)),
      { listen: (onChange) => ((signal = onChange), () => (signal = undefined)) },
      { after: last(await readEverything(store)), filter: { streamCategories: ['horizon'] }, pollIntervalMs: 600_000, onPage: (page) => void delivered.push(...page.events.map((e) => e.streamId)) },
    );
    const holder = await pool.connect();
    try {
      await eventually('the subscription read once', () => reads, (n) => n >= 1);
      // A transaction with an id older than the append's: the all-stream shows nothing past it while it runs.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      const { position } = await store.appendToStream(stream, [newEvent('Hidden')], { expectedRevision: 'no_stream' });
      const before = reads;
      signal?.(position);
      await eventually('the subscription read after the signal', () => reads, (n) => n > before);
      expect(delivered).toEqual([]); // hidden behind the running transaction
      await holder.query('COMMIT'); // ends without appending: nothing signals
      await eventually('the hidden append delivered', () => [...delivered], (d) => d.includes(stream), { timeoutMs: 20_000 });
    } finally {
      holder.release();
      await subscription.stop();
    }
  });

  for (const coalesceMs of [0, 50]) {
    it(`delivers an event appended while a page is being handled, without waiting for the poll (coalesceMs ${coalesceMs})`, async () => {
      const category = `wake${coalesceMs}`;
      const first = uniqueStream(category);
      const second = uniqueStream(category);
      const after = last(await readEverything(store));
      const delivered: string[] = [];
      const subscription = store.subscribeToAll({
        after,
        filter: { streamCategories: [category] },
        coalesceMs,
        onPage: async (page) => {
          for (const event of page.events) {
            delivered.push(event.streamId);
            // The second append commits (and signals) while this page is still being handled.
            if (event.streamId === first) await appendAndSignal(second, 'Second');
          }
        },
      });
      try {
        await store.appendToStream(first, [newEvent('First')], { expectedRevision: 'no_stream' });
        await eventually('both events delivered', () => [...delivered], (d) => d.includes(first) && d.includes(second), { timeoutMs: 20_000 });
        expect(delivered).toEqual([first, second]);
      } finally {
        await subscription.stop();
      }
    });
  }

  it('a subscription that was told about a change while busy does not sleep on it: several appends during one page all arrive', async () => {
    const category = 'wakemany';
    const trigger = uniqueStream(category);
    const others = Array.from({ length: 5 }, () => uniqueStream(category));
    const delivered = new Set<string>();
    const subscription = store.subscribeToAll({
      after: last(await readEverything(store)),
      filter: { streamCategories: [category] },
      batchSize: 2,
      coalesceMs: 20,
      onPage: async (page) => {
        for (const event of page.events) {
          delivered.add(event.streamId);
          if (event.streamId === trigger) for (const s of others) await appendAndSignal(s, 'Other');
        }
      },
    });
    try {
      await store.appendToStream(trigger, [newEvent('Trigger')], { expectedRevision: 'no_stream' });
      await eventually('every event delivered', () => delivered.size, (n) => n === 6, { timeoutMs: 20_000 });
    } finally {
      await subscription.stop();
    }
  });
});

function last(events: RecordedEvent[]) {
  return events.length ? events[events.length - 1].position : undefined;
}

/** Subscribes per event, or (with a filter that names types) per page, so both delivery modes meet the gap tests. */
function subscribe(store: PostgresEventStore, after: GlobalPosition | undefined, onEvent: (e: RecordedEvent) => Promise<void>, filter?: AllStreamFilter) {
  if (filter?.eventTypes) {
    return store.subscribeToAll({ after, filter, onPage: async (page) => { for (const e of page.events) await onEvent(e); } });
  }
  return store.subscribeToAll({ after, filter, onEvent });
}
