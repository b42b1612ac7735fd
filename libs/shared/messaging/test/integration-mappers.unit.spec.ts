import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '@leakwatch/event-store';
import { CloudEvent, EventRelay, InMemoryCheckpointStore, IntegrationMapperRegistry, MessageBus, TOPICS } from '../src';
import { recordingLogger, waitFor } from './helpers';

class RecordingBus implements MessageBus {
  readonly published: CloudEvent[] = [];
  async publish(_topic: string, events: readonly CloudEvent[]): Promise<void> {
    this.published.push(...events);
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  async close(): Promise<void> {
    this.published.length = 0;
  }
}

const LEAK = 'cd'.repeat(16);

describe('integration mappers: domain events are published as their topic contract', () => {
  it('publishes what the topic mapper makes of each stored event, skips what it maps to null, and passes other topics as stored', async () => {
    const store = new InMemoryEventStore(() => new Date('2024-05-01T12:00:00.000Z'));
    const bus = new RecordingBus();
    const registry = new IntegrationMapperRegistry();
    registry.register(TOPICS.leaks, (event) =>
      event.type === 'InternalBookkeeping' ? null : { type: `${event.type}`, data: { leakid: (event.data as { leakid: string }).leakid } },
    );
    await store.appendToStream(`leak-${LEAK}`, [
      { id: randomUUID(), type: 'LeakDetected', data: { leakid: LEAK, finding_id: 'internal', fingerprint: 'x' } },
      { id: randomUUID(), type: 'InternalBookkeeping', data: { leakid: LEAK } },
    ], { expectedRevision: 'no_stream' });
    await store.appendToStream('org-o1', [{ id: randomUUID(), type: 'OrganizationCreated', data: { org_id: 'o1', name: 'Acme' } }], { expectedRevision: 'no_stream' });
    const relay = new EventRelay({
      store, bus, checkpoints: new InMemoryCheckpointStore(), name: 'relay:test', service: 'leak-lifecycle', lingerMs: 5,
      mappers: registry, logger: recordingLogger(),
    });
    await relay.start();
    try {
      await waitFor(() => bus.published.length === 2 && relay.checkpoint !== undefined, 'two published events');
      const [leak, org] = bus.published;
      expect(leak).toMatchObject({ type: 'LeakDetected', data: { leakid: LEAK }, key: LEAK, extensions: { partitionkey: LEAK, schemaversion: '1' } });
      expect(leak.data).toEqual({ leakid: LEAK }); // nothing the mapper left out
      expect(org).toMatchObject({ type: 'OrganizationCreated', data: { org_id: 'o1', name: 'Acme' }, extensions: { partitionkey: 'o1' } });
    } finally {
      await relay.stop();
    }
  });

  it('allows one mapper per topic', () => {
    const registry = new IntegrationMapperRegistry();
    registry.register(TOPICS.leaks, () => null);
    expect(() => registry.register(TOPICS.leaks, () => null)).toThrow(/already registered/);
    expect(registry.mapperFor(TOPICS.access)).toBeUndefined();
  });
});
