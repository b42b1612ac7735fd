import { CloudEvent, InProcessMessageBus } from '../src';
import { expectOrderedPerKey, recordingLogger, testEvent, waitFor } from './helpers';

const TOPIC = 'leakwatch.leaks.v1';
const fastRetry = { initialDelayMs: 1, maxDelayMs: 5 };

describe('InProcessMessageBus', () => {
  let bus: InProcessMessageBus;
  let logger: ReturnType<typeof recordingLogger>;
  beforeEach(() => {
    logger = recordingLogger();
    bus = new InProcessMessageBus({ retry: fastRetry, logger });
  });
  afterEach(() => bus.close());

  const events = (n: number, keys = 5) => Array.from({ length: n }, (_, i) => testEvent(`k${i % keys}`, { i }));

  it('delivers every message once to every group, and shares a group between its members', async () => {
    const a: CloudEvent[] = [];
    const b1: CloudEvent[] = [];
    const b2: CloudEvent[] = [];
    await bus.subscribe({ topics: TOPIC, groupId: 'a', handler: async (e) => void a.push(e) });
    await bus.subscribe({ topics: TOPIC, groupId: 'b', handler: async (e) => void b1.push(e) });
    await bus.subscribe({ topics: [TOPIC], groupId: 'b', handler: async (e) => void b2.push(e) });
    const published = events(200, 40);
    await bus.publish(TOPIC, published);
    await bus.drain();

    const ids = (list: CloudEvent[]) => list.map((e) => e.id).sort();
    expect(ids(a)).toEqual(ids(published));
    expect(ids([...b1, ...b2])).toEqual(ids(published));
    expect(b1.length).toBeGreaterThan(0);
    expect(b2.length).toBeGreaterThan(0);
    // A key belongs to one member of the group at a time.
    const keysOf = (list: CloudEvent[]) => new Set(list.map((e) => e.key));
    for (const key of keysOf(b1)) expect(keysOf(b2).has(key)).toBe(false);
  });

  it('keeps per-key order while handlers of different keys run concurrently', async () => {
    const seen: CloudEvent[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    await bus.subscribe({
      topics: TOPIC,
      groupId: 'g',
      handler: async (e) => {
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        seen.push(e);
        concurrent--;
      },
    });
    const published = events(300, 17);
    for (let i = 0; i < published.length; i += 30) await bus.publish(TOPIC, published.slice(i, i + 30));
    await bus.drain();
    expect(seen).toHaveLength(300);
    expectOrderedPerKey(seen, published);
    expect(maxConcurrent).toBeGreaterThan(1);
  });

  it('retries a failing handler on the same message, holding back its key, and loses nothing', async () => {
    const published = events(50, 1); // one key: strictly sequential
    const poison = published[10].id;
    let failures = 0;
    const seen: string[] = [];
    await bus.subscribe({
      topics: TOPIC,
      groupId: 'g',
      handler: async (e) => {
        if (e.id === poison && failures < 3) {
          failures++;
          throw new Error('database unavailable');
        }
        seen.push(e.id);
      },
    });
    await bus.publish(TOPIC, published);
    await bus.drain();
    expect(failures).toBe(3);
    expect(seen).toEqual(published.map((e) => e.id));
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(3);
    expect(warnings[0].fields).toMatchObject({ eventId: poison, group: 'g', error: 'Error: database unavailable' });
    expect(JSON.stringify(logger.lines)).not.toContain('"i":'); // values never logged
  });

  it('hands partitions to the remaining member when one stops, without losing or skipping messages', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = await bus.subscribe({ topics: TOPIC, groupId: 'g', handler: async (e) => { await gate; seen.push(e.id); } });
    await bus.subscribe({ topics: TOPIC, groupId: 'g', handler: async (e) => void seen.push(e.id) });
    const published = events(100, 20);
    await bus.publish(TOPIC, published);
    const stopping = first.stop();
    release();
    await stopping;
    await bus.drain();
    expect([...seen].sort()).toEqual(published.map((e) => e.id).sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('resumes a group from its offsets after all its members stopped', async () => {
    const seen: string[] = [];
    const sub = await bus.subscribe({ topics: TOPIC, groupId: 'g', handler: async (e) => void seen.push(e.id) });
    const before = events(10);
    await bus.publish(TOPIC, before);
    await bus.drain();
    await sub.stop();
    const after = events(10);
    await bus.publish(TOPIC, after);
    await bus.subscribe({ topics: TOPIC, groupId: 'g', handler: async (e) => void seen.push(e.id) });
    await bus.drain();
    expect(seen.sort()).toEqual([...before, ...after].map((e) => e.id).sort());
  });

  it('lets a new group start from the retained beginning or from now', async () => {
    const old = events(5);
    await bus.publish(TOPIC, old);
    const fromStart: string[] = [];
    const fromNow: string[] = [];
    await bus.subscribe({ topics: TOPIC, groupId: 'history', handler: async (e) => void fromStart.push(e.id) });
    await bus.subscribe({ topics: TOPIC, groupId: 'live', fromBeginning: false, handler: async (e) => void fromNow.push(e.id) });
    const fresh = events(5);
    await bus.publish(TOPIC, fresh);
    await bus.drain();
    expect(fromStart.sort()).toEqual([...old, ...fresh].map((e) => e.id).sort());
    expect(fromNow.sort()).toEqual(fresh.map((e) => e.id).sort());
  });

  it('gives every consumer its own decoded copy, serialised like Kafka', async () => {
    const copies: CloudEvent[] = [];
    const mutate = async (e: CloudEvent) => {
      (e.data as Record<string, unknown>)['touched'] = true;
      copies.push(e);
    };
    await bus.subscribe({ topics: TOPIC, groupId: 'a', handler: mutate });
    await bus.subscribe({ topics: TOPIC, groupId: 'b', handler: mutate });
    const original = testEvent('k', { at: new Date('2024-01-01T00:00:00Z') as unknown as string });
    await bus.publish(TOPIC, [original]);
    await bus.drain();
    expect(copies).toHaveLength(2);
    expect(copies[0].data).not.toBe(copies[1].data);
    expect(original.data).not.toHaveProperty('touched');
    expect(copies[0].data).toEqual({ at: '2024-01-01T00:00:00.000Z', touched: true });
  });

  it('rejects an invalid envelope before enqueuing anything of the call', async () => {
    const seen: string[] = [];
    await bus.subscribe({ topics: TOPIC, groupId: 'g', handler: async (e) => void seen.push(e.id) });
    const bad = { ...testEvent('k'), key: '' };
    await expect(bus.publish(TOPIC, [testEvent('k'), bad])).rejects.toThrow(/"key"/);
    await bus.drain();
    expect(seen).toEqual([]);
  });

  it('stops a member that is retrying without waiting for the backoff', async () => {
    const slow = new InProcessMessageBus({ retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 }, logger });
    let attempts = 0;
    const sub = await slow.subscribe({ topics: TOPIC, groupId: 'g', handler: async () => { attempts++; throw new Error('nope'); } });
    await slow.publish(TOPIC, [testEvent('k')]);
    await waitFor(() => attempts === 1, 'first attempt');
    const started = Date.now();
    await sub.stop();
    await slow.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
