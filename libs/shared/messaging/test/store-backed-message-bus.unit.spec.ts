import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, NewEvent } from '@leakwatch/event-store';
import { CloudEvent, InMemoryCheckpointStore, StoreBackedMessageBus, StoreBackedMessageBusOptions, TOPICS } from '../src';
import { recordingLogger, testEvent, waitFor } from './helpers';

const newEvent = (type: string, data: Record<string, unknown> = {}): NewEvent => ({ id: randomUUID(), type, data });

describe('StoreBackedMessageBus (embedded mode, durable consumer checkpoints)', () => {
  let store: InMemoryEventStore;
  let checkpoints: InMemoryCheckpointStore;
  const buses: StoreBackedMessageBus[] = [];
  const newBus = (overrides: Partial<StoreBackedMessageBusOptions> = {}) => {
    const bus = new StoreBackedMessageBus({
      store, checkpoints, source: 'leakwatch/leakwatch', retry: { initialDelayMs: 1, maxDelayMs: 5 },
      logger: recordingLogger(), checkpointAfterMs: 5, ...overrides,
    });
    buses.push(bus);
    return bus;
  };
  beforeEach(() => {
    store = new InMemoryEventStore();
    checkpoints = new InMemoryCheckpointStore();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await store.close();
  });

  it('delivers stored events of the subscribed topics as CloudEvents, in store order', async () => {
    const leak = [newEvent('LeakSighted'), newEvent('LeakMarkedFixed')];
    await store.appendToStream('leak-aa', leak, { expectedRevision: 'no_stream' });
    await store.appendToStream('org-o1', [newEvent('OrganizationCreated', { org_id: 'o1' })], { expectedRevision: 'no_stream' });
    const seen: CloudEvent[] = [];
    await newBus().subscribe({ topics: TOPICS.leaks, groupId: 'g', handler: async (e) => void seen.push(e) });
    await waitFor(() => seen.length === 2, 'deliveries');
    expect(seen.map((e) => [e.id, e.key, e.subject, e.source])).toEqual(leak.map((e) => [e.id, 'aa', 'leak-aa', 'leakwatch/leakwatch']));
  });

  it('builds a stored event\'s CloudEvent once for every group of its topic, and shares it frozen', async () => {
    await store.appendToStream('leak-aa', [newEvent('LeakSighted', { nested: { n: 1 } })], { expectedRevision: 'no_stream' });
    const bus = newBus();
    const first: CloudEvent[] = [];
    const second: CloudEvent[] = [];
    await bus.subscribe({ topics: TOPICS.leaks, groupId: 'one', handler: async (e) => void first.push(e) });
    await bus.subscribe({ topics: TOPICS.leaks, groupId: 'two', handler: async (e) => void second.push(e), batchHandler: async (batch) => void second.push(...batch) });
    await waitFor(() => first.length === 1 && second.length === 1, 'both groups');
    expect(second[0]).toBe(first[0]);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(() => ((first[0].data as { nested: { n: number } }).nested.n = 2)).toThrow(TypeError);
  });

  it('resumes from the group checkpoint after a restart, so events appended while down are not lost', async () => {
    const first = [newEvent('A')];
    await store.appendToStream('leak-aa', first, { expectedRevision: 'no_stream' });
    const seen: string[] = [];
    const bus = newBus();
    const sub = await bus.subscribe({ topics: TOPICS.leaks, groupId: 'g', handler: async (e) => void seen.push(e.id) });
    await waitFor(() => seen.length === 1, 'first');
    await sub.stop();
    const whileDown = newEvent('B');
    await store.appendToStream('leak-aa', [whileDown], { expectedRevision: 0 });
    await newBus().subscribe({ topics: TOPICS.leaks, groupId: 'g', handler: async (e) => void seen.push(e.id) });
    await waitFor(() => seen.length === 2, 'second');
    expect(seen).toEqual([first[0].id, whileDown.id]);
  });

  it('retries a failing handler on the same event without skipping', async () => {
    const events = [newEvent('A'), newEvent('B'), newEvent('C')];
    await store.appendToStream('leak-aa', events, { expectedRevision: 'no_stream' });
    let failures = 0;
    const seen: string[] = [];
    await newBus().subscribe({
      topics: [TOPICS.leaks], groupId: 'g',
      handler: async (e) => {
        if (e.type === 'B' && failures++ < 2) throw new Error('transient');
        seen.push(e.id);
      },
    });
    await waitFor(() => seen.length === 3, 'all');
    expect(seen).toEqual(events.map((e) => e.id));
  });

  it('starts a new group at the end of the store when it does not want history', async () => {
    await store.appendToStream('leak-aa', [newEvent('Old')], { expectedRevision: 'no_stream' });
    const seen: string[] = [];
    const bus = newBus();
    await bus.subscribe({ topics: TOPICS.leaks, groupId: 'live', fromBeginning: false, handler: async (e) => void seen.push(e.type) });
    await store.appendToStream('leak-aa', [newEvent('New')], { expectedRevision: 0 });
    await waitFor(() => seen.length === 1, 'new event');
    expect(seen).toEqual(['New']);
  });

  it('refuses a second member of the same group and passes published (non-stored) events to live subscribers', async () => {
    const bus = newBus();
    const seen: string[] = [];
    await bus.subscribe({ topics: TOPICS.gateway, groupId: 'g', handler: async (e) => void seen.push(e.id) });
    await expect(bus.subscribe({ topics: TOPICS.gateway, groupId: 'g', handler: async () => undefined })).rejects.toThrow(/already has a member/);
    const live = testEvent('key-1');
    await bus.publish(TOPICS.gateway, [live]);
    await waitFor(() => seen.includes(live.id), 'live delivery');
  });
});
