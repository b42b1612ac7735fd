/**
 * `leakwatch events tail --topic leaks`: prints integration events as CloudEvents JSON lines — what a
 * ticketing bot or a SIEM forwarder would consume. Distributed mode (KAFKA_BROKERS set): from Kafka, as a
 * throwaway consumer group (no offsets are committed for a real group). Embedded mode: from the event store,
 * through the same integration mapping the relay applies, so the lines are the same in both modes.
 */
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { GlobalPosition } from '@leakwatch/event-store';
import { leakIntegrationMapper } from '@leakwatch/leak-lifecycle/feature';
import {
  CloudEvent,
  decodeBinaryMode,
  IntegrationMapperRegistry,
  TOPICS,
  TOPIC_STREAM_CATEGORIES,
  TopicName,
  routeByStreamCategory,
  toIntegrationCloudEvent,
} from '@leakwatch/messaging';
import { loadConfig } from '@leakwatch/runtime';
import { openDatabase } from '../database';
import { openEventSource } from '../projections/event-source';

const SHORT_NAMES = Object.keys(TOPICS) as Array<keyof typeof TOPICS>;

interface TailOptions {
  topic: keyof typeof TOPICS;
  fromBeginning?: boolean;
  type?: string[];
  limit?: number;
}

/** One JSON line per event: the CloudEvents attributes, the extensions flattened (as the JSON format has them), data. */
export function cloudEventLine(event: CloudEvent): string {
  const { key: _key, extensions, ...attributes } = event;
  void _key; // the Kafka key travels as the partitionkey extension
  return JSON.stringify({ ...attributes, ...extensions });
}

export function registerEventsTailCommand(program: Command): void {
  const events = program.commands.find((c) => c.name() === 'events') ?? program.command('events').description('Integration events and parked events');
  events
    .command('tail')
    .description('Print integration events as CloudEvents JSON lines (Kafka when KAFKA_BROKERS is set, else the event store)')
    .addOption(new Option('--topic <topic>', 'which topic').choices(SHORT_NAMES).default('leaks'))
    .option('--from-beginning', 'start at the first event (default: only events from now on)')
    .option('--type <type...>', 'only these event types, e.g. --type LeakStatusChanged VirtualPatchApplied')
    .option('--limit <n>', 'stop after n events', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--limit must be a positive integer, got "${v}"`);
      return n;
    })
    .addHelpText(
      'after',
      `
Examples:
  $ npm run leakwatch -- events tail --topic leaks --from-beginning --limit 10
  $ KAFKA_BROKERS=kafka:9092 npm run leakwatch -- events tail --type VirtualPatchApplied | your-siem-forwarder`,
    )
    .action(async (options: TailOptions) => {
      const topic = TOPICS[options.topic];
      const types = options.type ? new Set(options.type) : undefined;
      let printed = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const print = (event: CloudEvent) => {
        if (types && !types.has(event.type)) return;
        if (options.limit !== undefined && printed >= options.limit) return;
        process.stdout.write(`${cloudEventLine(event)}\n`);
        if (++printed === options.limit) done();
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
      const stop = process.env.KAFKA_BROKERS ? await tailKafka(topic, options, print) : await tailStore(topic, options, print);
      await finished;
      await stop();
    });
}

/**
 * A throwaway consumer group that never commits. "From now on" is fixed before anything is said: the end of
 * every partition is read first, and the group starts there once it has joined (not at wherever the topic
 * ends by then), so every message published after the `tailing …` line is printed, and none from before.
 */
async function tailKafka(topic: TopicName, options: TailOptions, print: (e: CloudEvent) => void): Promise<() => Promise<void>> {
  const config = loadConfig();
  const toStderr = (message: string) => process.stderr.write(`${message}\n`);
  const kafka = new Kafka({
    brokers: config.kafkaBrokers ?? [],
    clientId: 'leakwatch-cli',
    ssl: config.kafka.ssl,
    ...(config.kafka.sasl ? { sasl: config.kafka.sasl as never } : {}),
    // kafkajs' own logger writes to stdout, which carries the JSON lines: its errors go to stderr instead.
    logLevel: logLevel.ERROR,
    logCreator: () => ({ log }) => toStderr(`kafka: ${log.message}`),
  });
  let start: Map<number, bigint> | undefined;
  if (!options.fromBeginning) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      start = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    } finally {
      await admin.disconnect();
    }
  }
  const consumer = kafka.consumer({
    groupId: `leakwatch-cli-tail-${randomUUID()}`,
    allowAutoTopicCreation: false,
    sessionTimeout: config.kafka.sessionTimeoutMs,
    maxWaitTimeInMs: config.kafka.maxWaitMs,
  });
  if (start) {
    const from = start;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partition of payload.memberAssignment[topic] ?? []) consumer.seek({ topic, partition, offset: String(from.get(partition) ?? 0n) });
    });
  }
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (start && BigInt(message.offset) < (start.get(partition) ?? 0n)) return; // before the tail started
      const decoded = decodeBinaryMode(message);
      if (decoded.ok) print(decoded.event);
      else toStderr(`skipping a malformed message at ${topic}/${partition}@${message.offset}: ${decoded.error.reason}`);
    },
  });
  toStderr(`tailing ${topic} from Kafka (${config.kafkaBrokers?.join(',')}), ${start ? 'from now on' : 'from the beginning'}…`);
  return () => consumer.disconnect();
}

async function tailStore(topic: TopicName, options: TailOptions, print: (e: CloudEvent) => void): Promise<() => Promise<void>> {
  const db = await openDatabase();
  const source = await openEventSource(db.pool, db.describe);
  const filter = { streamCategories: TOPIC_STREAM_CATEGORIES[topic] };
  const mappers = new IntegrationMapperRegistry();
  mappers.register(TOPICS.leaks, leakIntegrationMapper);
  let after: GlobalPosition | undefined;
  if (!options.fromBeginning) {
    // "From now on": find where the topic's streams end today.
    for (;;) {
      const page = await source.store.readAllPage({ after, maxCount: 5_000, filter });
      after = page.position ?? after;
      if (page.events.length < 5_000) break;
    }
  }
  process.stderr.write(`tailing ${topic} from the ${source.describe}, ${options.fromBeginning ? 'from the beginning' : 'from now on'}…\n`);
  const subscription = source.store.subscribeToAll({
    after,
    filter,
    onEvent: (event) => {
      const route = routeByStreamCategory(event);
      if (route?.topic !== topic) return;
      const cloudEvent = toIntegrationCloudEvent(event, route, 'leakwatch/leakwatch', mappers);
      if (cloudEvent) print(cloudEvent);
    },
    onError: (error) => process.stderr.write(`event store subscription failed: ${(error as Error).message}\n`),
  });
  return async () => {
    await subscription.stop();
    await source.close();
    await db.close();
  };
}
