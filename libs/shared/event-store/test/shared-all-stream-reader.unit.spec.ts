/**
 * The shared reader's rules, over the in-memory store's pages with every read counted: members of one filter at
 * the same position cost one read; a member told about a change after the last read gets a new one; a lane over
 * its bound drops its oldest pages and the member behind them reads on its own; different filters never share.
 */
import { InMemoryEventStore, ReadAllOptions } from '../src';
import { nextMoment } from '../src/subscription/catch-up-subscription';
import { SharedAllStreamReader } from '../src/subscription/shared-all-stream-reader';
import { newEvent, uniqueStream } from './event-store.contract';

async function setup(maxBufferedEvents?: number) {
  const store = new InMemoryEventStore();
  const reads: ReadAllOptions[] = [];
  const reader = new SharedAllStreamReader((o) => (reads.push(o), store.readAllPage(o)), { maxBufferedEvents });
  const append = async (count: number, category = 'leak') => {
    for (let i = 0; i < count; i++) await store.appendToStream(uniqueStream(category), [newEvent('Happened')], { expectedRevision: 'no_stream' });
  };
  return { store, reads, reader, append };
}

const leak = { streamCategories: ['leak'] };

describe('SharedAllStreamReader', () => {
  it('members of one filter at the same position cost one read; a change signalled after it costs one more', async () => {
    const { reads, reader, append } = await setup();
    const a = reader.join(leak, 100);
    const b = reader.join({ streamCategories: ['leak'] }, 100);
    await append(5);
    const told = nextMoment();
    const [pageA, pageB] = await Promise.all([a.read({ maxCount: 100 }, told), b.read({ maxCount: 100 }, told)]);
    expect(reads).toHaveLength(1);
    expect(pageA.events).toHaveLength(5);
    expect(pageB.events.map((e) => e.id)).toEqual(pageA.events.map((e) => e.id));
    expect(pageB.events[0]).toBe(pageA.events[0]); // the same decoded object
    expect(Object.isFrozen(pageA.events[0].data)).toBe(true);

    // Nothing new since: asking again with the same moment is answered from the buffer.
    expect((await a.read({ after: pageA.position, maxCount: 100 }, told)).events).toEqual([]);
    expect(reads).toHaveLength(1);
    // Told about a change after that read: a new read, once for both.
    await append(2);
    const later = nextMoment();
    const [nextA, nextB] = await Promise.all([a.read({ after: pageA.position, maxCount: 100 }, later), b.read({ after: pageB.position, maxCount: 100 }, later)]);
    expect(reads).toHaveLength(2);
    expect(nextA.events).toHaveLength(2);
    expect(nextB.events).toHaveLength(2);
  });

  it('different filters read separately; each gets the position its read reached', async () => {
    const { reads, reader, append } = await setup();
    const leaks = reader.join(leak, 100);
    const orgs = reader.join({ streamCategories: ['org'] }, 100);
    await append(3, 'leak');
    await append(2, 'org');
    const told = nextMoment();
    const [l, o] = await Promise.all([leaks.read({ maxCount: 100 }, told), orgs.read({ maxCount: 100 }, told)]);
    expect(reads.map((r) => r.filter)).toEqual([leak, { streamCategories: ['org'] }]);
    expect(l.events.map((e) => e.streamId.split('-')[0])).toEqual(['leak', 'leak', 'leak']);
    expect(o.events.map((e) => e.streamId.split('-')[0])).toEqual(['org', 'org']);
    expect(l.position).toEqual(o.position); // both looked to the end
  });

  it('a lane over its bound drops its oldest pages; the member behind them reads on its own, the others share on', async () => {
    const { reads, reader, append } = await setup(10);
    const slow = reader.join(leak, 5);
    const fast = reader.join(leak, 5);
    const other = reader.join(leak, 5);
    await append(30);
    const told = nextMoment();
    const first = await slow.read({ maxCount: 5 }, told); // then it stops reading for a while
    let fastAt = first.position;
    let otherAt = first.position;
    await fast.read({ maxCount: 5 }, told);
    await other.read({ maxCount: 5 }, told);
    for (let i = 0; i < 5; i++) {
      fastAt = (await fast.read({ after: fastAt, maxCount: 5 }, told)).position;
      otherAt = (await other.read({ after: otherAt, maxCount: 5 }, told)).position;
      expect(reader.bufferedEvents).toBeLessThanOrEqual(10 + 5);
    }
    const shared = reads.length;
    expect(shared).toBe(1 + 5); // one read per page, though fast and other each took every page
    const own = reader.stats.ownReads;
    const late = await slow.read({ after: first.position, maxCount: 5 }, told);
    expect(reader.stats.ownReads).toBe(own + 1); // its pages were dropped: it read them itself
    expect(reads).toHaveLength(shared + 1);
    expect(late.events).toHaveLength(5);
  });
});
