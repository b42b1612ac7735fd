import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, NewEvent, encodePosition } from '@leakwatch/event-store';
import {
  CheckpointStore,
  CloudEvent,
  dedupHandler,
  EventRelay,
  EventRelayOptions,
  InMemoryCheckpointStore,
  InMemoryProcessedMessages,
  InProcessMessageBus,
  MessageBus,
  TOPICS,
} from '../src';
import { recordingLogger, waitFor } from './helpers';

/** A bus that records what was acknowledged, and can be told to fail. */
class RecordingBus implements MessageBus {
  readonly published: Array<{ topic: string; event: CloudEvent }> = [];
  failuresLeft = 0;
  async publish(topic: string, events: readonly CloudEvent[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('broker unavailable');
    }
    for (const event of events) this.published.push({ topic, event });
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  async close(): Promise<void> {
    this.published.length = 0;
  }
  ids(topic?: string): string[] {
    return this.published.filter((p) => !topic || p.topic === topic).map((p) => p.event.id);
  }
}

const newEvent = (type: string, data: Record<string, unknown> = {}, metadata = {}): NewEvent => ({ id: randomUUID(), type, data, metadata });
const LEAK = 'ab'.repeat(16);

describe('EventRelay (in-memory store, bus and checkpoints)', () => {
  let store: InMemoryEventStore;
  let checkpoints: InMemoryCheckpointStore;
  let bus: RecordingBus;
  const relays: EventRelay[] = [];
  const relay = (overrides: Partial<EventRelayOptions> = {}) => {
    const r = new EventRelay({
      store, bus, checkpoints, name: 'relay:test', service: 'leak-lifecycle', lingerMs: 5,
      retry: { initialDelayMs: 1, maxDelayMs: 5 }, logger: recordingLogger(), ...overrides,
    });
    relays.push(r);
    return r;
  };
  beforeEach(() => {
    store = new InMemoryEventStore(() => new Date('2024-05-01T12:00:00.000Z'));
    checkpoints = new InMemoryCheckpointStore();
    bus = new RecordingBus();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await store.close();
  });

  it('maps a stored event to a CloudEvent on its topic with metadata as extension attributes', async () => {
    const stored = newEvent('LeakMarkedFixed', { leakid: LEAK, status: 'fixed' }, {
      occurred_at: '2024-05-01T11:59:00.000Z',
      actor: { key_id: 'key-1', org_id: 'org-1', role: 'admin', user_email: 'alice@example.com' },
      correlation_id: 'corr-1',
      causation_id: 'cause-1',
    });
    await store.appendToStream(`leak-${LEAK}`, [{ ...stored, schemaVersion: 2 }], { expectedRevision: 'no_stream' });
    await relay().start();
    await waitFor(() => bus.published.length === 1, 'publication');
    expect(bus.published[0]).toEqual({
      topic: TOPICS.leaks,
      event: {
        specversion: '1.0',
        id: stored.id,
        type: 'LeakMarkedFixed',
        source: 'leakwatch/leak-lifecycle',
        subject: `leak-${LEAK}`,
        time: '2024-05-01T11:59:00.000Z',
        datacontenttype: 'application/json',
        data: { leakid: LEAK, status: 'fixed' },
        key: LEAK,
        extensions: {
          schemaversion: '2', streamrevision: '0', correlationid: 'corr-1', causationid: 'cause-1',
          actorkeyid: 'key-1', actororgid: 'org-1', actorrole: 'admin', partitionkey: LEAK,
        },
      },
    });
    expect(JSON.stringify(bus.published)).not.toContain('alice@example.com');
  });

  it('falls back to the recorded time when occurred_at is missing or not RFC 3339', async () => {
    await store.appendToStream('leak-x', [newEvent('A'), newEvent('B', {}, { occurred_at: 'yesterday' })], { expectedRevision: 'any' });
    await relay().start();
    await waitFor(() => bus.published.length === 2, 'publications');
    expect(bus.published.map((p) => p.event.time)).toEqual(['2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00.000Z']);
  });

  it('publishes every event in store order per key, skips unmapped streams and still checkpoints past them', async () => {
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      const leak = newEvent('LeakSeen', { i });
      await store.appendToStream(`leak-${i % 3}`, [leak], { expectedRevision: 'any' });
      expected.push(leak.id);
      await store.appendToStream('projection-checkpoints', [newEvent('Internal')], { expectedRevision: 'any' });
    }
    const r = relay({ batchSize: 7 });
    await r.start();
    const all = await store.readAll();
    const lastPosition = encodePosition(all[all.length - 1].position);
    await waitFor(async () => encodePosition((await checkpoints.load('relay:test')) ?? { commit: 0n, prepare: 0n }) === lastPosition, 'final checkpoint');
    expect(bus.ids()).toEqual(expected);
    expect(bus.published.every((p) => p.topic === TOPICS.leaks)).toBe(true);
    for (const key of ['0', '1', '2']) {
      const revisions = bus.published.filter((p) => p.event.key === key).map((p) => Number(p.event.extensions?.['streamrevision']));
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    }
    expect(r.published).toBe(30);
  });

  it('resumes after the saved checkpoint on restart: only new events are published', async () => {
    await store.appendToStream('leak-a', [newEvent('One'), newEvent('Two')], { expectedRevision: 'no_stream' });
    const first = relay();
    await first.start();
    await waitFor(() => bus.published.length === 2 && first.checkpoint !== undefined, 'first batch');
    await first.stop();

    const later = newEvent('Three');
    await store.appendToStream('leak-a', [later], { expectedRevision: 1 });
    bus.published.length = 0;
    const second = relay();
    await second.start();
    // Published in store order: events before the checkpoint, had they been published again, would come first.
    await waitFor(() => bus.ids().includes(later.id), 'new event');
    expect(bus.ids()).toEqual([later.id]);
  });

  it('re-publishes a batch whose checkpoint was not saved (crash between publish and checkpoint); dedup absorbs it', async () => {
    const crashing: CheckpointStore = { load: async () => undefined, save: async () => { throw new Error('process killed'); } };
    const events = [newEvent('One'), newEvent('Two'), newEvent('Three')];
    await store.appendToStream('leak-a', events, { expectedRevision: 'no_stream' });

    const inProcess = new InProcessMessageBus({ logger: recordingLogger() });
    const processed = new InMemoryProcessedMessages();
    const deliveries: string[] = [];
    const effects: string[] = [];
    await inProcess.subscribe({
      topics: TOPICS.leaks,
      groupId: 'consumer',
      handler: async (e) => {
        deliveries.push(e.id);
        await dedupHandler(processed, 'consumer', async (event) => void effects.push(event.id))(e);
      },
    });

    const crashed = relay({ bus: inProcess, checkpoints: crashing, stopGraceMs: 20 });
    await crashed.start();
    await waitFor(() => deliveries.length === 3, 'first delivery');
    await crashed.stop();

    await relay({ bus: inProcess }).start();
    await waitFor(() => deliveries.length === 6, 'redelivery');
    await inProcess.drain();
    expect(deliveries).toEqual([...events, ...events].map((e) => e.id));
    expect(effects).toEqual(events.map((e) => e.id));
    await inProcess.close();
  });

  it('retries a failing publish without skipping or reordering, then checkpoints', async () => {
    bus.failuresLeft = 3;
    const events = [newEvent('One'), newEvent('Two')];
    await store.appendToStream('leak-a', events, { expectedRevision: 'no_stream' });
    const logger = recordingLogger();
    const r = relay({ logger });
    await r.start();
    await waitFor(() => r.checkpoint !== undefined, 'checkpoint after retries');
    expect(bus.ids()).toEqual(events.map((e) => e.id));
    expect(logger.lines.filter((l) => l.message.includes('failed to publish'))).toHaveLength(3);
  });

  it('publishes only the configured topics', async () => {
    await store.appendToStream('leak-a', [newEvent('LeakSeen')], { expectedRevision: 'no_stream' });
    await store.appendToStream('org-o1', [newEvent('OrganizationCreated', { org_id: 'o1' })], { expectedRevision: 'no_stream' });
    const r = relay({ topics: [TOPICS.access] });
    await r.start();
    await waitFor(async () => (await store.readAll()).length > 0 && r.checkpoint?.commit === 2n, 'checkpoint');
    expect(bus.published.map((p) => [p.topic, p.event.key])).toEqual([[TOPICS.access, 'o1']]);
  });
});
