/**
 * The behaviour every event store adapter must show. Each adapter's spec calls `describeEventStoreContract`
 * with a factory; stream names are unique per test so the suite also runs against a shared KurrentDB.
 */
import { randomUUID } from 'node:crypto';
import {
  AllStreamFilter,
  DuplicateEventIdError,
  EventStore,
  NewEvent,
  RecordedEvent,
  WrongExpectedRevisionError,
  comparePositions,
} from '../src';

export interface EventStoreFixture {
  store: EventStore;
  dispose(): Promise<void>;
  /** What the adapter cannot guarantee; an absent flag means the full contract applies. */
  capabilities?: EventStoreCapabilities;
  /**
   * A query on the database the store appends to, for adapters that run a StatementInAppend in the append's
   * transaction (PostgreSQL). Absent = the adapter does not (in-memory, KurrentDB): `statement` must be absent.
   */
  sql?: (text: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>;
}

export interface EventStoreCapabilities {
  /** False when an event id already stored in another stream cannot be detected (KurrentDB: no id index). */
  globalEventIdUniqueness?: boolean;
  /** False when appendToStreams writes stream by stream (KurrentDB: no transaction across streams). */
  atomicMultiStreamAppend?: boolean;
}

export interface EventStoreContractOptions {
  /** Report the whole suite as skipped (e.g. its server is not configured). */
  skip?: boolean;
}

export const newEvent = (type = 'Happened', data: unknown = { n: 1 }, metadata = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

export const uniqueStream = (category = 'test') => `${category}-${randomUUID().replace(/-/g, '')}`;

/** Collects subscription deliveries and lets a test wait for a condition on them. */
export function collector() {
  const seen: RecordedEvent[] = [];
  let notify = () => undefined as void;
  return {
    seen,
    onEvent: async (event: RecordedEvent) => {
      seen.push(event);
      notify();
    },
    async waitFor(predicate: (events: RecordedEvent[]) => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(seen)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting; ${seen.length} events seen`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

export function describeEventStoreContract(
  adapter: string,
  createFixture: () => Promise<EventStoreFixture>,
  options: EventStoreContractOptions = {},
): void {
  (options.skip ? describe.skip : describe)(`${adapter} event store contract`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeAll(async () => {
      fixture = await createFixture();
      store = fixture.store;
    });
    afterAll(async () => fixture?.dispose());

    describe('expected revision', () => {
      it('no_stream creates a stream once and refuses when it exists', async () => {
        const stream = uniqueStream();
        const first = await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        expect(first).toMatchObject({ nextExpectedRevision: 1, written: true });

        const error = await store
          .appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId: stream, expected: 'no_stream', actual: 1 });
      });

      it('an exact revision succeeds when it matches and conflicts when stale', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const second = await store.appendToStream(stream, [newEvent()], { expectedRevision: 0 });
        expect(second.nextExpectedRevision).toBe(1);

        await expect(store.appendToStream(stream, [newEvent()], { expectedRevision: 0 })).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          expected: 0,
          actual: 1,
        });
        await expect(store.appendToStream(uniqueStream(), [newEvent()], { expectedRevision: 0 })).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          actual: -1,
        });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('stream_exists refuses a missing stream; any never refuses', async () => {
        const stream = uniqueStream();
        await expect(store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        expect((await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(1);
        expect((await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
      });

      it('of two concurrent writers at the same revision exactly one wins', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 5 }, () => store.appendToStream(stream, [newEvent()], { expectedRevision: 0 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
          expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('rejects invalid arguments', async () => {
        await expect(store.appendToStream(uniqueStream(), [], { expectedRevision: 'any' })).rejects.toThrow(/at least one event/);
        await expect(store.appendToStream(uniqueStream(), [newEvent()], { expectedRevision: -3 })).rejects.toThrow(/expectedRevision/);
      });
    });

    describe('idempotent append by event id', () => {
      it('appending the same events again writes nothing, even with a stale expected revision', async () => {
        const stream = uniqueStream();
        const events = [newEvent('A'), newEvent('B')];
        const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(again).toMatchObject({ written: false, nextExpectedRevision: 1 });
        expect(comparePositions(again.position, first.position)).toBe(0);
        expect((await store.readStream(stream)).map((e) => e.id)).toEqual(events.map((e) => e.id));
      });

      it('appending one event again is a no-op too, with its expected revision still current or stale', async () => {
        const stream = uniqueStream();
        const event = newEvent('A');
        const first = await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });
        for (const expectedRevision of ['any', 'stream_exists', 'no_stream', 0] as const) {
          const again = await store.appendToStream(stream, [event], { expectedRevision });
          expect(again).toMatchObject({ written: false, nextExpectedRevision: 0 });
          expect(comparePositions(again.position, first.position)).toBe(0);
        }
        if (fixture.capabilities?.globalEventIdUniqueness !== false) {
          await expect(store.appendToStream(uniqueStream(), [event], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventIdError);
        }
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('refuses a batch that repeats only some ids, or ids stored in another stream', async () => {
        const stream = uniqueStream();
        const stored = newEvent();
        await store.appendToStream(stream, [stored], { expectedRevision: 'no_stream' });
        await expect(store.appendToStream(stream, [stored, newEvent()], { expectedRevision: 0 })).rejects.toBeInstanceOf(
          DuplicateEventIdError,
        );
        if (fixture.capabilities?.globalEventIdUniqueness !== false) {
          await expect(store.appendToStream(uniqueStream(), [stored], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
            DuplicateEventIdError,
          );
        }
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('reading a stream', () => {
      it('reads forwards and backwards, from a revision, with a limit', async () => {
        const stream = uniqueStream();
        const events = Array.from({ length: 6 }, (_, n) => newEvent('Counted', { n }));
        await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });

        const forwards = await store.readStream(stream);
        expect(forwards.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(forwards.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5]);
        expect((await store.readStream(stream, { fromRevision: 2, maxCount: 3 })).map((e) => e.revision)).toEqual([2, 3, 4]);
        expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.revision)).toEqual([5, 4, 3, 2, 1, 0]);
        expect(
          (await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 })).map((e) => e.revision),
        ).toEqual([3, 2]);
        expect(await store.readStream(uniqueStream())).toEqual([]);
      });

      it('reads several streams at once; a missing one is empty', async () => {
        const [a, b, missing] = [uniqueStream(), uniqueStream(), uniqueStream()];
        await store.appendToStream(a, [newEvent('A0'), newEvent('A1')], { expectedRevision: 'no_stream' });
        await store.appendToStream(b, [newEvent('B0')], { expectedRevision: 'no_stream' });
        const streams = await store.readStreams([a, b, missing]);
        expect([...streams.keys()].sort()).toEqual([a, b, missing].sort());
        expect(streams.get(a)?.map((e) => e.type)).toEqual(['A0', 'A1']);
        expect(streams.get(b)?.map((e) => e.revision)).toEqual([0]);
        expect(streams.get(missing)).toEqual([]);
      });

      it('keeps type, schema version, data and metadata exactly', async () => {
        const stream = uniqueStream();
        const metadata = {
          occurred_at: '2026-01-02T03:04:05.000Z',
          actor: { key_id: 'k1', user_email: 'a@example.com', org_id: 'o1', role: 'admin' },
          correlation_id: randomUUID(),
          causation_id: randomUUID(),
        };
        const event: NewEvent = { id: randomUUID(), type: 'LeakDetected', schemaVersion: 2, data: { nested: { list: [1, 'x', null] } }, metadata };
        await store.appendToStream(stream, [event, newEvent()], { expectedRevision: 'any' });
        const [read, defaulted] = await store.readStream(stream);
        expect(read).toMatchObject({ id: event.id, type: 'LeakDetected', schemaVersion: 2, streamId: stream, revision: 0, data: event.data, metadata });
        expect(read.recordedAt).toBeInstanceOf(Date);
        expect(defaulted.schemaVersion).toBe(1);
      });
    });

    describe('reading all', () => {
      it('returns events in position order, strictly after a given position', async () => {
        const a = uniqueStream();
        const b = uniqueStream();
        await store.appendToStream(a, [newEvent('A0')], { expectedRevision: 'no_stream' });
        await store.appendToStream(b, [newEvent('B0'), newEvent('B1')], { expectedRevision: 'no_stream' });
        await store.appendToStream(a, [newEvent('A1')], { expectedRevision: 0 });

        const ours = (await readEverything(store)).filter((e) => e.streamId === a || e.streamId === b);
        expect(ours.map((e) => e.type)).toEqual(['A0', 'B0', 'B1', 'A1']);
        for (let i = 1; i < ours.length; i++) expect(comparePositions(ours[i - 1].position, ours[i].position)).toBe(-1);

        const afterSecond = (await readEverything(store, ours[1].position)).filter((e) => e.streamId === a || e.streamId === b);
        expect(afterSecond.map((e) => e.type)).toEqual(['B1', 'A1']);
        const page = await store.readAll({ after: ours[0].position, maxCount: 2 });
        expect(page).toHaveLength(2);
      });
    });

    describe('filtered reads of the all-stream', () => {
      it('returns only the wanted categories and types, in all-stream order, and the position reached', async () => {
        const cat = `f${randomUUID().replace(/-/g, '').slice(0, 12)}`;
        const other = `o${randomUUID().replace(/-/g, '').slice(0, 12)}`;
        const start = (await store.readAllPage({ after: undefined, maxCount: 1, filter: { streamCategories: [cat] } })).position;
        const a = uniqueStream(cat);
        const b = uniqueStream(other);
        await store.appendToStream(a, [newEvent('Wanted'), newEvent('Unwanted')], { expectedRevision: 'no_stream' });
        await store.appendToStream(b, [newEvent('Wanted')], { expectedRevision: 'no_stream' });
        const last = await store.appendToStream(a, [newEvent('Wanted')], { expectedRevision: 1 });

        const byCategory = await readFiltered(store, { streamCategories: [cat] }, start);
        expect(byCategory.events.map((e) => `${e.streamId === a ? 'a' : 'b'}:${e.type}`)).toEqual(['a:Wanted', 'a:Unwanted', 'a:Wanted']);
        const both = await readFiltered(store, { streamCategories: [cat, other], eventTypes: ['Wanted'] }, start);
        expect(both.events.map((e) => `${e.streamId === a ? 'a' : 'b'}:${e.type}`)).toEqual(['a:Wanted', 'b:Wanted', 'a:Wanted']);
        for (let i = 1; i < both.events.length; i++) expect(comparePositions(both.events[i - 1].position, both.events[i].position)).toBe(-1);
        const byType = (await readFiltered(store, { eventTypes: ['Unwanted'] }, start)).events.filter((e) => e.streamId === a || e.streamId === b);
        expect(byType.map((e) => e.type)).toEqual(['Unwanted']);
        // The reader reached at least our last event, even when the filter matched nothing there.
        const none = await store.readAllPage({ after: both.events[0].position, maxCount: 10, filter: { streamCategories: [`none${cat}`] } });
        expect(none.events).toEqual([]);
        expect(none.position && comparePositions(none.position, last.position)).toBeGreaterThanOrEqual(0);
      });

      it('a full page ends at its last event; the next page continues from there', async () => {
        const cat = `p${randomUUID().replace(/-/g, '').slice(0, 12)}`;
        const stream = uniqueStream(cat);
        await store.appendToStream(stream, Array.from({ length: 5 }, (_, n) => newEvent('Counted', { n })), { expectedRevision: 'no_stream' });
        const first = await store.readAllPage({ maxCount: 2, filter: { streamCategories: [cat] } });
        expect(first.events.map((e) => e.revision)).toEqual([0, 1]);
        expect(comparePositions(first.position!, first.events[1].position)).toBe(0);
        const second = await store.readAllPage({ after: first.position, maxCount: 2, filter: { streamCategories: [cat] } });
        expect(second.events.map((e) => e.revision)).toEqual([2, 3]);
      });

      it('a filtered page subscription delivers only matching events and moves past the others', async () => {
        const cat = `s${randomUUID().replace(/-/g, '').slice(0, 12)}`;
        const start = lastPosition(await readEverything(store));
        const pages: Array<{ events: RecordedEvent[]; position: RecordedEvent['position'] }> = [];
        const subscription = store.subscribeToAll({ after: start, filter: { streamCategories: [cat] }, onPage: (p) => void pages.push(p) });
        try {
          const noise = await store.appendToStream(uniqueStream('noise'), [newEvent('Noise')], { expectedRevision: 'no_stream' });
          const deadline = Date.now() + 10_000;
          while (!pages.some((p) => comparePositions(p.position, noise.position) >= 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          expect(pages.flatMap((p) => p.events)).toEqual([]); // nothing delivered, yet the checkpoint moved past the noise
          const wanted = uniqueStream(cat);
          await store.appendToStream(wanted, [newEvent('W0'), newEvent('W1')], { expectedRevision: 'no_stream' });
          while (pages.flatMap((p) => p.events).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          expect(pages.flatMap((p) => p.events).map((e) => e.type)).toEqual(['W0', 'W1']);
        } finally {
          await subscription.stop();
        }
      });
    });

    describe('multi-stream append', () => {
      it('writes several streams with their own expected revisions and reports each', async () => {
        const [a, b] = [uniqueStream(), uniqueStream()];
        await store.appendToStream(a, [newEvent('A0')], { expectedRevision: 'no_stream' });
        const results = await store.appendToStreams([
          { streamId: a, events: [newEvent('A1'), newEvent('A2')], expectedRevision: 0 },
          { streamId: b, events: [newEvent('B0')], expectedRevision: 'no_stream' },
        ]);
        expect(results.map((r) => [r.nextExpectedRevision, r.written])).toEqual([[2, true], [0, true]]);
        expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A0', 'A1', 'A2']);
        expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B0']);
        const [ra] = await store.readStream(a, { direction: 'backwards', maxCount: 1 });
        expect(comparePositions(results[0].position, ra.position)).toBe(0);
      });

      it('a conflict on one stream names every conflicting stream and writes none when atomic', async () => {
        const [a, b, c] = [uniqueStream(), uniqueStream(), uniqueStream()];
        await store.appendToStream(b, [newEvent('B0')], { expectedRevision: 'no_stream' });
        await store.appendToStream(c, [newEvent('C0')], { expectedRevision: 'no_stream' });
        const error = await store
          .appendToStreams([
            { streamId: a, events: [newEvent('A0')], expectedRevision: 'no_stream' },
            { streamId: b, events: [newEvent('B1')], expectedRevision: 'no_stream' },
            { streamId: c, events: [newEvent('C1')], expectedRevision: 5 },
          ])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        const atomic = fixture.capabilities?.atomicMultiStreamAppend !== false;
        expect(store.atomicMultiStreamAppend).toBe(atomic);
        if (atomic) {
          expect((error as WrongExpectedRevisionError).conflicts.map((c) => c.streamId)).toEqual([b, c]);
          expect(await store.readStream(a)).toEqual([]);
        }
        expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B0']);
        expect((await store.readStream(c)).map((e) => e.type)).toEqual(['C0']);
      });

      it('a repeated multi-stream append is a no-op per stream, and does not stop new streams', async () => {
        const [a, b] = [uniqueStream(), uniqueStream()];
        const first = { streamId: a, events: [newEvent('A0')], expectedRevision: 'no_stream' as const };
        await store.appendToStreams([first]);
        const results = await store.appendToStreams([first, { streamId: b, events: [newEvent('B0')], expectedRevision: 'no_stream' }]);
        expect(results.map((r) => r.written)).toEqual([false, true]);
        expect(await store.readStream(a)).toHaveLength(1);
        expect(await store.readStream(b)).toHaveLength(1);
      });

      it('refuses a stream named twice', async () => {
        const a = uniqueStream();
        await expect(
          store.appendToStreams([
            { streamId: a, events: [newEvent()], expectedRevision: 'any' },
            { streamId: a, events: [newEvent()], expectedRevision: 'any' },
          ]),
        ).rejects.toThrow(/twice/);
      });
    });

    describe('append with a statement in its transaction (appendToStreamsWith)', () => {
      // Records the keys of $1 in a table and answers them: a read model row written with the append.
      const table = `contract_then_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const recording = (keys: string[]) => ({
        sql: `WITH i AS (INSERT INTO ${table} (k) SELECT jsonb_array_elements_text($1) RETURNING k) SELECT COALESCE(jsonb_agg(i.k ORDER BY i.k), '[]'::jsonb) FROM i`,
        param: keys,
      });
      const recorded = async () => (fixture.sql ? (await fixture.sql(`SELECT k FROM ${table} ORDER BY k`)).map((r) => r.k) : []);
      beforeAll(async () => {
        await fixture.sql?.(`CREATE TABLE ${table} (k text PRIMARY KEY)`);
      });

      it('runs the statement with a written append (one stream, one event; several streams) and answers its value', async () => {
        const [a, b, c] = [uniqueStream(), uniqueStream(), uniqueStream()];
        const one = await store.appendToStreamsWith([{ streamId: a, events: [newEvent('A0')], expectedRevision: 'no_stream' }], recording([`${a}:1`]));
        expect(one.results.map((r) => [r.nextExpectedRevision, r.written])).toEqual([[0, true]]);
        const many = await store.appendToStreamsWith(
          [
            { streamId: b, events: [newEvent('B0'), newEvent('B1')], expectedRevision: 'no_stream' },
            { streamId: a, events: [newEvent('A1')], expectedRevision: 0 },
            { streamId: c, events: [newEvent('C0')], expectedRevision: 'any' },
          ],
          recording([`${b}:2`, `${a}:2`]),
        );
        expect(many.results.map((r) => [r.nextExpectedRevision, r.written])).toEqual([[1, true], [1, true], [0, true]]);
        expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A0', 'A1']);
        if (fixture.sql) {
          expect(one.statement).toEqual({ value: [`${a}:1`] });
          expect(many.statement).toEqual({ value: [`${a}:2`, `${b}:2`].sort() }); // the statement orders by key; stream ids are random
          expect(await recorded()).toEqual(expect.arrayContaining([`${a}:1`, `${a}:2`, `${b}:2`]));
        } else {
          expect(one.statement).toBeUndefined();
          expect(many.statement).toBeUndefined();
        }
      });

      it('a conflict or a repeat does not run it; a failing statement appends nothing', async () => {
        const [a, b] = [uniqueStream(), uniqueStream()];
        const first = { streamId: a, events: [newEvent('A0')], expectedRevision: 'no_stream' as const };
        await store.appendToStream(b, [newEvent('B0')], { expectedRevision: 'no_stream' });
        await store.appendToStreamsWith([first], recording([`${a}:first`]));
        // Conflicts, one stream and two streams (the other one writable): nothing runs, nothing is written.
        await expect(store.appendToStreamsWith([{ streamId: a, events: [newEvent('A1')], expectedRevision: 5 }], recording([`${a}:conflict`]))).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(
          store.appendToStreamsWith(
            [{ streamId: uniqueStream(), events: [newEvent('N0')], expectedRevision: 'no_stream' }, { streamId: b, events: [newEvent('B1')], expectedRevision: 'no_stream' }],
            recording([`${b}:conflict`]),
          ),
        ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        // A repeat of the first append (same event id) is an idempotent no-op and does not run it.
        const repeat = await store.appendToStreamsWith([first], recording([`${a}:repeat`]));
        expect(repeat.results[0].written).toBe(false);
        expect(repeat.statement).toBeUndefined();
        expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A0']);
        expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B0']);
        if (!fixture.sql) return;
        expect(await recorded()).toContain(`${a}:first`);
        expect((await recorded()).filter((k) => String(k).startsWith(a) || String(k).startsWith(b))).toEqual([`${a}:first`]);
        // The statement fails (its key is recorded already): the append is undone with it, one stream or several.
        const c = uniqueStream();
        await expect(store.appendToStreamsWith([{ streamId: c, events: [newEvent('C0')], expectedRevision: 'no_stream' }], recording([`${a}:first`]))).rejects.toThrow();
        await expect(
          store.appendToStreamsWith(
            [{ streamId: c, events: [newEvent('C0'), newEvent('C1')], expectedRevision: 'no_stream' }, { streamId: b, events: [newEvent('B1')], expectedRevision: 0 }],
            recording([`${a}:first`]),
          ),
        ).rejects.toThrow();
        expect(await store.readStream(c)).toEqual([]);
        expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B0']);
        // And the store goes on appending (and chaining) after the failure.
        await store.appendToStreamsWith([{ streamId: c, events: [newEvent('C0')], expectedRevision: 'no_stream' }], recording([`${c}:ok`]));
        expect((await store.readStream(c)).map((e) => e.revision)).toEqual([0]);
      });
    });

    describe('catch-up subscription', () => {
      it('delivers stored events after the checkpoint, then live ones, in order', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [newEvent('E0'), newEvent('E1')], { expectedRevision: 'no_stream' });
        const [first] = await store.readStream(stream);

        const seen = collector();
        const subscription = store.subscribeToAll({ after: first.position, onEvent: seen.onEvent });
        try {
          await store.appendToStream(stream, [newEvent('E2')], { expectedRevision: 1 });
          await store.appendToStream(stream, [newEvent('E3')], { expectedRevision: 2 });
          await seen.waitFor((events) => events.filter((e) => e.streamId === stream).length >= 3);
          await new Promise((r) => setTimeout(r, 300));
          expect(seen.seen.filter((e) => e.streamId === stream).map((e) => e.type)).toEqual(['E1', 'E2', 'E3']);
        } finally {
          await subscription.stop();
        }
      });

      it('delivers nothing after stop', async () => {
        const stream = uniqueStream();
        const seen = collector();
        const subscription = store.subscribeToAll({ onEvent: seen.onEvent });
        await store.appendToStream(stream, [newEvent('before')], { expectedRevision: 'no_stream' });
        await seen.waitFor((events) => events.some((e) => e.streamId === stream));
        await subscription.stop();
        await store.appendToStream(stream, [newEvent('after')], { expectedRevision: 0 });
        await new Promise((r) => setTimeout(r, 500));
        expect(seen.seen.filter((e) => e.streamId === stream).map((e) => e.type)).toEqual(['before']);
      });

      it('reports a failing handler through onError and stops', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [newEvent('boom')], { expectedRevision: 'no_stream' });
        const [stored] = await store.readStream(stream);
        const errors: unknown[] = [];
        const subscription = store.subscribeToAll({
          after: previousPosition(await readEverything(store), stored),
          onEvent: (e) => {
            if (e.id === stored.id) throw new Error('handler failed');
          },
          onError: (e) => errors.push(e),
        });
        const deadline = Date.now() + 10_000;
        while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await subscription.stop();
        expect(errors).toHaveLength(1);
        expect(String(errors[0])).toMatch(/handler failed/);
      });
    });

    describe('concurrency', () => {
      it('8 writers x 500 events with conflicts and retries: a live subscriber sees each exactly once, in stream order', async () => {
        const writers = 8;
        const perWriter = 500;
        const streams = Array.from({ length: 12 }, () => uniqueStream('conc'));
        const ours = new Set(streams);
        const seen = collector();
        const startAfter = lastPosition(await readEverything(store));
        const subscription = store.subscribeToAll({ after: startAfter, onEvent: (e) => (ours.has(e.streamId) ? seen.onEvent(e) : undefined) });
        let conflicts = 0;
        try {
          await Promise.all(
            Array.from({ length: writers }, async (_, w) => {
              const known = new Map<string, number>();
              let written = 0;
              while (written < perWriter) {
                const stream = streams[(w * 7 + written) % streams.length];
                const size = Math.min(1 + (written % 3), perWriter - written);
                const batch = Array.from({ length: size }, (_, i) => newEvent('Wrote', { w, n: written + i }));
                for (;;) {
                  const expected = known.get(stream) ?? 'no_stream';
                  try {
                    const result = await store.appendToStream(stream, batch, { expectedRevision: expected });
                    known.set(stream, result.nextExpectedRevision);
                    break;
                  } catch (error) {
                    if (!(error instanceof WrongExpectedRevisionError)) throw error;
                    conflicts++;
                    known.set(stream, error.actual); // decide again against fresh state
                  }
                }
                written += size;
              }
            }),
          );
          const total = writers * perWriter;
          await seen.waitFor((events) => events.length >= total, 60_000);
          await new Promise((r) => setTimeout(r, 300));

          expect(seen.seen).toHaveLength(total);
          expect(new Set(seen.seen.map((e) => e.id)).size).toBe(total);
          expect(conflicts).toBeGreaterThan(0); // the test really exercised the conflict path
          for (let i = 1; i < seen.seen.length; i++) {
            expect(comparePositions(seen.seen[i - 1].position, seen.seen[i].position)).toBe(-1);
          }
          for (const stream of streams) {
            const revisions = seen.seen.filter((e) => e.streamId === stream).map((e) => e.revision);
            expect(revisions).toEqual(revisions.map((_, i) => i));
          }
          for (let w = 0; w < writers; w++) {
            const ns = seen.seen.filter((e) => (e.data as { w: number }).w === w).map((e) => (e.data as { n: number }).n);
            expect([...ns].sort((a, b) => a - b)).toEqual(Array.from({ length: perWriter }, (_, i) => i));
          }
        } finally {
          await subscription.stop();
        }
      }, 120_000);
    });
  });
}

/** Reads a filtered all-stream to its end, page by page; `position` is the last position reached. */
export async function readFiltered(store: EventStore, filter: AllStreamFilter, after?: RecordedEvent['position']) {
  const events: RecordedEvent[] = [];
  let position = after;
  for (;;) {
    const page = await store.readAllPage({ after: position, maxCount: 100, filter });
    events.push(...page.events);
    if (!page.position || (position && comparePositions(page.position, position) === 0)) return { events, position };
    position = page.position;
    if (page.events.length < 100) return { events, position };
  }
}

/** Reads the whole all-stream page by page. */
export async function readEverything(store: EventStore, after?: RecordedEvent['position']): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await store.readAll({ after: cursor, maxCount: 1000 });
    events.push(...page);
    if (page.length < 1000) return events;
    cursor = page[page.length - 1].position;
  }
}

function lastPosition(events: RecordedEvent[]) {
  return events.length ? events[events.length - 1].position : undefined;
}

function previousPosition(all: RecordedEvent[], target: RecordedEvent) {
  const index = all.findIndex((e) => e.id === target.id);
  return index > 0 ? all[index - 1].position : undefined;
}
