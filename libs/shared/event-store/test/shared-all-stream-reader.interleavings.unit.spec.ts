/**
 * The shared reader under random interleavings: members of one lane with different page sizes, filters and handler
 * speeds, a tiny buffer (so pages are dropped and members fall out and come back), reads that take a while, and an
 * all-stream whose visible part grows in jumps (the horizon). Whatever happens, every member's catch-up subscription
 * must hand its handler exactly the events of its filter, in store order, each once — what separate reads give.
 * Choices come from a seeded generator (a failure names its seed); timings are real, so each run tries other
 * interleavings too.
 */
import type { AllStreamPage, ReadAllOptions, RecordedEvent } from '../src';
import { START, comparePositions } from '../src';
import { ChangeSignal, startCatchUpSubscription } from '../src/subscription/catch-up-subscription';
import { SharedAllStreamReader } from '../src/subscription/shared-all-stream-reader';

/** mulberry32: a small seeded generator. */
function generator(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Events a trial appends at most. */
const MAX_EVENTS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const category = (event: RecordedEvent) => event.streamId.split('-')[0];

/** An all-stream of which only a prefix is visible (what a read below the oldest running transaction sees). */
function fakeStore(random: (n: number) => number) {
  const events: RecordedEvent[] = [];
  let visible = 0;
  const readPage = async (options: ReadAllOptions): Promise<AllStreamPage> => {
    await sleep(random(3));
    const shown = events.slice(0, visible).filter((e) => comparePositions(e.position, options.after ?? START) > 0);
    const wanted = options.filter?.streamCategories;
    const matching = shown.filter((e) => !wanted || wanted.includes(category(e)));
    const page = options.maxCount === undefined ? matching : matching.slice(0, options.maxCount);
    const full = options.maxCount !== undefined && page.length >= options.maxCount;
    await sleep(random(3));
    return { events: page, position: full ? page[page.length - 1].position : shown[shown.length - 1]?.position };
  };
  const append = (streamId: string) =>
    events.push({
      id: String(events.length + 1), type: 'Happened', schemaVersion: 1, streamId, revision: 0,
      position: { commit: BigInt(events.length + 1), prepare: 0n }, data: {}, metadata: {}, recordedAt: new Date(0),
    });
  return { events, readPage, append, reveal: () => (visible = events.length) };
}

async function trial(seed: number): Promise<void> {
  const random = generator(seed);
  const store = fakeStore(random);
  const reader = new SharedAllStreamReader(store.readPage, { maxBufferedEvents: 1 + random(40) });
  const listeners = new Set<() => void>();
  const members = Array.from({ length: 2 + random(6) }, () => {
    const filter = random(3) ? ['leak'] : ['leak', 'key'];
    const batchSize = 1 + random(20);
    const slowness = random(4) * 5;
    const seen: RecordedEvent[] = [];
    const member = reader.join({ streamCategories: filter }, batchSize, START);
    const changes: ChangeSignal = {
      listen: (onChange) => {
        listeners.add(onChange);
        return () => {
          listeners.delete(onChange);
          member.leave();
        };
      },
    };
    const subscription = startCatchUpSubscription((options, freshAfter) => member.read(options, freshAfter), changes, {
      batchSize,
      filter: { streamCategories: filter },
      pollIntervalMs: 30,
      coalesceMs: random(2) ? 0 : 5,
      onPage: async (page) => {
        seen.push(...page.events);
        // A lane that hands out an event again could loop without ever yielding to a timer: stop it here.
        if (seen.length > MAX_EVENTS) throw new Error(`more events than the store holds (${seen.length})`);
        if (slowness) await sleep(random(slowness));
      },
      onError: (error) => seen.push({ id: `stopped: ${String(error)}` } as RecordedEvent),
    });
    return { filter, seen, subscription };
  });

  const total = 200 + random(MAX_EVENTS - 200);
  for (let i = 0; i < total; i++) {
    store.append(`${['leak', 'finding', 'key'][random(3)]}-${random(10)}`);
    if (random(3) === 0) {
      store.reveal();
      listeners.forEach((wake) => wake());
      await sleep(random(2));
    }
  }
  store.reveal();
  listeners.forEach((wake) => wake());
  const expected = members.map((m) => store.events.filter((e) => m.filter.includes(category(e))).map((e) => e.id));
  const settled = () => members.every((m, i) => m.seen.length >= expected[i].length) || members.some((m) => m.seen.some((e) => e.id.startsWith('stopped')));
  for (let waited = 0; waited < 10_000 && !settled(); waited += 50) await sleep(50);
  await Promise.all(members.map((m) => m.subscription.stop()));
  members.forEach((m, i) => expect({ seed, member: i, ids: m.seen.map((e) => e.id) }).toEqual({ seed, member: i, ids: expected[i] }));
  expect(reader.bufferedEvents).toBe(0); // everyone left: nothing held
}

describe('SharedAllStreamReader under random interleavings', () => {
  it.each(Array.from({ length: 12 }, (_, i) => 1000 + i))('seed %i: every member gets exactly its events, in order, once', (seed) => trial(seed), 30_000);

  it('a reader that hands out a full page without moving on stops the subscription with an error (instead of spinning)', async () => {
    const stuck = { commit: 7n, prepare: 0n };
    const event = { id: '7', type: 'Happened', schemaVersion: 1, streamId: 'leak-1', revision: 0, position: stuck, data: {}, metadata: {}, recordedAt: new Date(0) };
    let reads = 0;
    const failed = new Promise<unknown>((resolve) => {
      startCatchUpSubscription(async () => (reads++, { events: [event], position: stuck, more: true }), { listen: () => () => undefined }, {
        after: stuck, batchSize: 1, onPage: async () => undefined, onError: resolve,
      });
    });
    expect(String(await failed)).toMatch(/page after 7\/0 did not advance/);
    expect(reads).toBe(1);
  });
});
