import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { logLevel } from 'kafkajs';
import { NewEvent, PostgresEventStore } from '@leakwatch/event-store';
import { KafkaMock, startKafkaMock, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { ALL_TOPICS, CloudEvent, EventRelay, KafkaMessageBus, PostgresCheckpointStore, TOPICS } from '../src';
import { recordingLogger, waitFor } from './helpers';

let pg: ThrowawayPostgres;
let kafka: KafkaMock;
let pool: Pool;
let store: PostgresEventStore;
let bus: KafkaMessageBus;
const received: Array<{ topic: string; event: CloudEvent }> = [];

beforeAll(async () => {
  [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
  pool = await pg.newPool('relay');
  store = await PostgresEventStore.create(pool, { pollIntervalMs: 50 });
  bus = new KafkaMessageBus({
    brokers: kafka.brokers,
    clientId: 'relay-int',
    logLevel: logLevel.ERROR,
    logger: recordingLogger(),
    consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 1_000, maxWaitTimeInMs: 100 },
  });
  // One group per topic so each delivery knows its topic; groups join concurrently (a join takes ~3 s on the mock).
  await Promise.all(
    ALL_TOPICS.map((topic) =>
      bus.subscribe({ topics: topic, groupId: `observer-${topic}`, handler: async (event) => void received.push({ topic, event }) }),
    ),
  );
});
afterAll(async () => {
  await bus?.close();
  await store?.close();
  await Promise.all([kafka?.stop(), pg?.stop()]);
});

const ORG = randomUUID();
const LEAKS = Array.from({ length: 4 }, () => randomUUID().replace(/-/g, ''));
const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { occurred_at: new Date().toISOString(), actor: { key_id: 'admin-key', org_id: ORG, role: 'admin' }, correlation_id: randomUUID() },
});

interface Appended { id: string; streamId: string; topic: string | null; key: string | null }

/** Appends `rounds` events to each of several streams, interleaved, in small concurrent transactions. */
async function appendTraffic(rounds: number): Promise<Appended[]> {
  const appended: Appended[] = [];
  const streams: Array<{ id: string; topic: string | null; key: string | null; make: (i: number) => NewEvent }> = [
    ...LEAKS.map((leak) => ({ id: `leak-${leak}`, topic: TOPICS.leaks, key: leak, make: (i: number) => event('LeakSighted', { leakid: leak, i }) })),
    { id: `org-${ORG}`, topic: TOPICS.access, key: ORG, make: (i) => event('MemberAdded', { org_id: ORG, i }) },
    { id: `domain-${ORG}-my-site.example.com`, topic: TOPICS.access, key: ORG, make: (i) => event('DomainVerified', { org_id: ORG, i }) },
    { id: 'usage-key-1', topic: TOPICS.gateway, key: 'key-1', make: (i) => event('ApiUsageRecorded', { key_id: 'key-1', i }) },
    { id: `projection-${ORG}`, topic: null, key: null, make: (i) => event('ProjectionRebuilt', { i }) },
  ];
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      streams.map(async (stream) => {
        const batch = [stream.make(round * 2), stream.make(round * 2 + 1)];
        await store.appendToStream(stream.id, batch, { expectedRevision: 'any' });
        for (const e of batch) appended.push({ id: e.id, streamId: stream.id, topic: stream.topic, key: stream.key });
      }),
    );
  }
  return appended;
}

function expectDelivered(appended: Appended[], deliveries: Array<{ topic: string; event: CloudEvent }>): void {
  const published = appended.filter((a) => a.topic !== null);
  const byId = new Map(deliveries.map((d) => [d.event.id, d]));
  expect(new Set(deliveries.map((d) => d.event.id)).size).toBe(deliveries.length); // no duplicates
  expect(deliveries).toHaveLength(published.length);
  for (const a of published) {
    const d = byId.get(a.id);
    expect(d && { topic: d.topic, key: d.event.key, subject: d.event.subject }).toEqual({ topic: a.topic, key: a.key, subject: a.streamId });
  }
  // Per stream (hence per key), revisions arrive strictly increasing.
  for (const streamId of new Set(published.map((a) => a.streamId))) {
    const revisions = deliveries.filter((d) => d.event.subject === streamId).map((d) => Number(d.event.extensions?.['streamrevision']));
    expect(revisions).toEqual(revisions.map((_, i) => revisions[0] + i));
  }
}

describe('EventRelay: PostgreSQL event store → Kafka protocol', () => {
  it('publishes every mapped event to its topic and key, in order per key; resumes from its durable checkpoint', async () => {
    const relayOptions = async () => ({
      store,
      bus,
      checkpoints: await PostgresCheckpointStore.create(pool),
      name: 'relay:all',
      service: 'embedded',
      batchSize: 50,
      logger: recordingLogger(),
    });
    const firstBatch = await appendTraffic(20); // 20 rounds × 8 streams × 2 = 320 events, 280 published
    const first = new EventRelay(await relayOptions());
    await first.start();
    const liveBatch = await appendTraffic(5); // appended while the relay runs
    const expectedFirst = [...firstBatch, ...liveBatch];
    await waitFor(() => received.length >= expectedFirst.filter((a) => a.topic).length, 'first deliveries', 30_000);
    await first.stop();
    expectDelivered(expectedFirst, received);
    expect(received.find((d) => d.topic === TOPICS.leaks)?.event).toMatchObject({
      source: 'leakwatch/embedded',
      type: 'LeakSighted',
      extensions: { schemaversion: '1', actororgid: ORG, actorkeyid: 'admin-key' },
    });

    // Restart: a new instance with the same checkpoint name publishes only what was appended since.
    const secondBatch = await appendTraffic(3);
    const before = received.length;
    const second = new EventRelay(await relayOptions());
    await second.start();
    try {
      await waitFor(() => received.length >= before + secondBatch.filter((a) => a.topic).length, 'second deliveries', 30_000);
      await waitFor(async () => second.checkpoint !== undefined, 'second checkpoint');
      // The relay publishes in store order: had it started before its checkpoint, the old events would have
      // been published (and counted) ahead of the new ones it has now delivered.
      expect(second.published).toBe(secondBatch.filter((a) => a.topic).length);
      expectDelivered(secondBatch, received.slice(before));
    } finally {
      await second.stop();
    }
    const saved = await pool.query('SELECT name, position FROM messaging_checkpoints');
    expect(saved.rows).toEqual([{ name: 'relay:all', position: expect.stringMatching(/^\d+\/\d+$/) }]);
  });
});
