import { Decider, accept, defineEventCodec, refuse } from '@leakwatch/decider';
import { InMemoryEventStore, decideAndAppend, loadState } from '../src';

type Event = { type: 'Incremented'; data: { by: number } };
type Command = { by: number; max: number };
const counter: Decider<number, Command, Event, 'over_max'> = {
  initialState: () => 0,
  decide: (c, count) => (count + c.by > c.max ? refuse('over_max') : accept({ type: 'Incremented', data: { by: c.by } })),
  evolve: (count, e) => count + e.data.by,
};
const counterAggregate = { decider: counter, codec: defineEventCodec<Event>({ Incremented: { version: 1 } }) };

describe('decideAndAppend', () => {
  it('never loses or duplicates an update under concurrency (conflicts are decided again)', async () => {
    const store = new InMemoryEventStore();
    // A store that yields between read and append, so concurrent commands really interleave.
    const slowRead = store.readStream.bind(store);
    store.readStream = async (...args) => {
      const events = await slowRead(...args);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      return events;
    };
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => decideAndAppend(store, 'counter-1', counterAggregate, { by: 1, max: 30 }, {}, { maxAttempts: 100 })),
    );
    expect(outcomes.filter((o) => o.result.ok)).toHaveLength(30);
    expect(outcomes.filter((o) => !o.result.ok).map((o) => !o.result.ok && o.result.refusal)).toEqual(Array(10).fill('over_max'));
    expect((await loadState(store, 'counter-1', counterAggregate)).state).toBe(30);
    expect(await store.readStream('counter-1')).toHaveLength(30);
  });

  it('returns the refusal without appending', async () => {
    const store = new InMemoryEventStore();
    const outcome = await decideAndAppend(store, 'counter-2', counterAggregate, { by: 5, max: 1 }, {});
    expect(outcome).toMatchObject({ result: { ok: false, refusal: 'over_max' }, state: 0, revision: -1 });
    expect(outcome.position).toBeUndefined();
    expect(await store.readStream('counter-2')).toEqual([]);
  });

  it('stores metadata on every event', async () => {
    const store = new InMemoryEventStore();
    const metadata = { actor: { key_id: 'k', role: 'admin' }, correlation_id: 'c1', occurred_at: '2026-01-01T00:00:00.000Z' };
    const outcome = await decideAndAppend(store, 'counter-3', counterAggregate, { by: 2, max: 9 }, metadata);
    expect(outcome).toMatchObject({ state: 2, revision: 0 });
    const [stored] = await store.readStream('counter-3');
    expect(outcome.position).toEqual(stored.position); // callers wait on it without reading the stream again
    expect((await store.readStream('counter-3'))[0].metadata).toEqual(metadata);
    expect(stored.schemaVersion).toBe(1); // written with the codec's current version
  });

  it('reads events stored in an older shape through the codec (upcast at the one seam)', async () => {
    // Version 1 of Incremented stored `{ step }`; version 2 (today) calls it `{ by }`.
    const store = new InMemoryEventStore();
    await store.appendToStream('counter-4', [{ id: '00000000-0000-4000-8000-000000000001', type: 'Incremented', schemaVersion: 1, data: { step: 3 } }], { expectedRevision: 'no_stream' });
    const v2 = {
      decider: counter,
      codec: defineEventCodec<Event>({ Incremented: { version: 2, upcast: { 1: (data) => ({ by: (data as { step: number }).step }) } } }),
    };
    expect((await loadState(store, 'counter-4', v2)).state).toBe(3);
    const outcome = await decideAndAppend(store, 'counter-4', v2, { by: 2, max: 9 }, {});
    expect(outcome).toMatchObject({ result: { ok: true }, state: 5 });
    expect((await store.readStream('counter-4')).map((e) => [e.schemaVersion, e.data])).toEqual([
      [1, { step: 3 }], // never rewritten
      [2, { by: 2 }],
    ]);
  });
});
