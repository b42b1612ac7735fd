/**
 * Two replicas of one service subscribe with the same consumer group: the broker splits the topic's
 * partitions between them (each gets a non-empty share, no partition twice), and every message is handled
 * by exactly one of them, exactly once. Against the real Kafka protocol (the librdkafka mock cluster).
 */
import { randomUUID } from 'node:crypto';
import { logLevel, Partitioners } from 'kafkajs';
import { KafkaMock, startKafkaMock } from '@leakwatch/testing';
import { CloudEvent, KafkaMessageBus } from '../src';
import { recordingLogger, testEvent, waitFor } from './helpers';

const TOPIC = 't.shared';
const GROUP = 'shared-group';
const CONSUMER = { sessionTimeout: 6_000, heartbeatInterval: 300, rebalanceTimeout: 1_000, maxWaitTimeInMs: 100 };

let kafka: KafkaMock;
const buses: KafkaMessageBus[] = [];

beforeAll(async () => {
  kafka = await startKafkaMock({ topics: [{ name: TOPIC, partitions: 3 }] });
});
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await kafka?.stop();
});

/**
 * The partitions of TOPIC a member holds now: what kafkajs logged at its last join of the group (the mock
 * broker does not answer DescribeGroups, so the member's own view of its SyncGroup answer is what we read).
 */
function currentShare(logger: ReturnType<typeof recordingLogger>): number[] | undefined {
  const joins = logger.lines.filter((l) => l.message === 'kafkajs: Consumer has joined the group');
  const assignment = joins.at(-1)?.fields?.['memberAssignment'] as Record<string, number[]> | undefined;
  return assignment ? [...(assignment[TOPIC] ?? [])].sort() : undefined;
}

/** The partition the producer puts a key in (Java-compatible murmur2, as KafkaMessageBus publishes). */
const partitionOf = (() => {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
  return (key: string) => partitioner({ topic: TOPIC, partitionMetadata, message: { key, value: null } });
})();

describe('consumer groups over the Kafka protocol', () => {
  it('share a topic’s partitions between two members of one group: disjoint non-empty shares, each message handled once', async () => {
    const members = ['replica-a', 'replica-b'].map((clientId) => {
      const logger = recordingLogger();
      const bus = new KafkaMessageBus({
        brokers: kafka.brokers, clientId, logLevel: logLevel.INFO, logger, consumer: CONSUMER, retry: { initialDelayMs: 50, maxDelayMs: 200 },
      });
      buses.push(bus);
      return { clientId, bus, logger, handled: [] as CloudEvent[] };
    });
    for (const member of members) {
      await member.bus.subscribe({ topics: TOPIC, groupId: GROUP, handler: async (e) => void member.handled.push(e) });
    }
    const [a, b] = members;

    // The second join rebalances the group: wait until both members hold their share after it.
    await waitFor(() => {
      const [shareA, shareB] = [currentShare(a.logger), currentShare(b.logger)];
      return !!shareA && !!shareB && [...shareA, ...shareB].sort().join() === '0,1,2';
    }, 'both members hold a share of the partitions', 30_000);
    const [shareA, shareB] = [currentShare(a.logger) ?? [], currentShare(b.logger) ?? []];
    expect(shareA.length).toBeGreaterThan(0);
    expect(shareB.length).toBeGreaterThan(0);
    expect(shareA.filter((p) => shareB.includes(p))).toEqual([]); // no partition owned twice

    // Many keys: murmur2 spreads them over all three partitions, so both members get work.
    const sent = Array.from({ length: 90 }, (_, i) => testEvent(`key-${i % 30}-${randomUUID().slice(0, 4)}`, { i }));
    expect(new Set(sent.map((e) => partitionOf(e.key))).size).toBe(3);
    const publisher = new KafkaMessageBus({ brokers: kafka.brokers, clientId: 'publisher', logLevel: logLevel.NOTHING, logger: recordingLogger() });
    buses.push(publisher);
    await publisher.publish(TOPIC, sent);
    const all = () => members.flatMap((m) => m.handled);
    await waitFor(() => all().length >= sent.length, 'every message handled', 30_000);

    const ids = all().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length); // none twice
    expect([...ids].sort()).toEqual(sent.map((e) => e.id).sort()); // none lost
    // Each member handled exactly the messages of its own partitions, all of them.
    for (const [member, share] of [[a, shareA], [b, shareB]] as const) {
      expect(member.handled.length).toBeGreaterThan(0);
      expect([...new Set(member.handled.map((e) => partitionOf(e.key)))].sort()).toEqual(share);
      expect(member.handled.length).toBe(sent.filter((e) => share.includes(partitionOf(e.key))).length);
    }
    // The shares did not move while the messages were handled (a rebalance could have redelivered one).
    expect([currentShare(a.logger), currentShare(b.logger)]).toEqual([shareA, shareB]);
  }, 60_000);
});
