/**
 * Event relay ÷ raw kafkajs producer (issue 16): the same N stored leak events published to the same broker,
 * once by Leakwatch's EventRelay (reads the store from its checkpoint, maps each event to its CloudEvent,
 * publishes batches of 500 through KafkaMessageBus, moves its checkpoint) and once by a bare kafkajs producer
 * sending the very same encoded messages in batches of 500 with the same producer settings (acks -1, one
 * request in flight) — the yardstick does no store reads and no checkpoint writes. Each side runs three
 * times, alternately, and the best run of each counts (the machine is shared: single runs are noisy).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { PostgresEventStore, RecordedEvent } from '@leakwatch/event-store';
import {
  EventRelay,
  InMemoryCheckpointStore,
  KafkaMessageBus,
  TOPICS,
  encodeBinaryMode,
  routeByStreamCategory,
  sourceOf,
  toIntegrationCloudEvent,
} from '@leakwatch/messaging';
import type { Pool } from 'pg';
import { waitUntilAsync } from './process';

export interface RelayYardstick {
  events: number;
  relayMs: number;
  rawMs: number;
  /** relay events/s ÷ raw events/s. */
  ratio: number;
}

const BATCH = 500;

export async function relayYardstick(pool: Pool, brokers: string[], events: number): Promise<RelayYardstick> {
  const store = await PostgresEventStore.create(pool);
  try {
    // N leak events on N/5 streams, ~0.5 KiB each, appended in multi-stream batches (not timed).
    for (let written = 0; written < events; ) {
      const appends = [];
      for (let s = 0; s < 100 && written < events; s++) {
        const leakid = randomBytes(16).toString('hex');
        const n = Math.min(5, events - written);
        written += n;
        appends.push({
          streamId: `leak-${leakid}`,
          expectedRevision: 'no_stream' as const,
          events: Array.from({ length: n }, (_, i) => ({
            id: randomUUID(),
            type: i === 0 ? 'LeakDetected' : 'LeakSighted',
            data: { leakid, kind: 'token', secret_type: 'github-pat', preview: 'ghp_…(40)', source: { name: 'bench', url: `https://paste.example/${randomBytes(24).toString('hex')}` }, risk: 'high', seen_at: new Date().toISOString(), finding_id: randomUUID() },
            metadata: { occurred_at: new Date().toISOString(), actor: { role: 'system' } },
          })),
        });
      }
      await store.appendToStreams(appends);
    }
    const stored: RecordedEvent[] = [];
    for (let after; ; ) {
      const page = await store.readAllPage({ after, maxCount: 5000, filter: { streamCategories: ['leak'] } });
      stored.push(...page.events);
      if (!page.events.length) break;
      after = page.position;
    }
    const messages = stored.map((e) => encodeBinaryMode(toIntegrationCloudEvent(e, routeByStreamCategory(e) as NonNullable<ReturnType<typeof routeByStreamCategory>>, sourceOf('bench')) as NonNullable<ReturnType<typeof toIntegrationCloudEvent>>));

    const raw = async () => {
      const producer = new Kafka({ brokers, clientId: 'bench-raw', logLevel: logLevel.NOTHING }).producer({ idempotent: false, allowAutoTopicCreation: false, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      // Connecting is timed on both sides (the relay's bus connects on its first batch).
      const started = performance.now();
      await producer.connect();
      try {
        for (let i = 0; i < messages.length; i += BATCH) await producer.send({ topic: TOPICS.leaks, acks: -1, messages: messages.slice(i, i + BATCH) });
        return performance.now() - started;
      } finally {
        await producer.disconnect();
      }
    };
    const relay = async () => {
      const bus = new KafkaMessageBus({ brokers, clientId: 'bench-relay', logLevel: logLevel.NOTHING });
      const relayer = new EventRelay({ store, bus, checkpoints: new InMemoryCheckpointStore(), name: `relay:bench-${randomUUID()}`, service: 'bench', topics: [TOPICS.leaks], batchSize: BATCH });
      try {
        const started = performance.now();
        await relayer.start();
        if (!(await waitUntilAsync(async () => relayer.published >= stored.length, 300_000, 2))) throw new Error(`relay published ${relayer.published} of ${stored.length} in 5 minutes`);
        return performance.now() - started;
      } finally {
        await relayer.stop();
        await bus.close();
      }
    };
    const rawMs: number[] = [];
    const relayMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      rawMs.push(await raw());
      relayMs.push(await relay());
    }
    const best = (xs: number[]) => Math.min(...xs);
    return { events: stored.length, relayMs: best(relayMs), rawMs: best(rawMs), ratio: best(rawMs) / best(relayMs) };
  } finally {
    await store.close();
  }
}
