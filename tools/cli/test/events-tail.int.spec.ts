/**
 * `leakwatch events tail`: the integration events a consumer would see, from the event store (embedded mode)
 * and from Kafka (distributed mode), as CloudEvents JSON lines mapped to the published contract.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { PostgresEventStore } from '@leakwatch/event-store';
import { leakIntegrationMapper } from '@leakwatch/leak-lifecycle/feature';
import { ALL_TOPICS, CloudEvent, EventRelay, IntegrationMapperRegistry, KafkaMessageBus, PostgresCheckpointStore, TOPICS, cloudEvent } from '@leakwatch/messaging';
import { eventually, KafkaMock, startKafkaMock, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../..');
const cli = ['-r', './tools/register.js', 'tools/cli/src/main.ts'];
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, [...cli, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 });
const LEAK = 'ef'.repeat(16);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A running `events tail` over Kafka: its stdout lines as they come, its stderr, its exit. */
interface Tail {
  child: ChildProcess;
  lines(): Array<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<number | null>;
}

function startTail(env: NodeJS.ProcessEnv, args: string[]): Tail {
  const child = spawn(process.execPath, [...cli, 'events', 'tail', ...args], { cwd: root, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c) => (out += c));
  child.stderr?.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, lines: () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l)), stderr: () => err, exited };
}
const tailOverKafka = (brokers: string[], args: string[]) => startTail({ KAFKA_BROKERS: brokers.join(','), KAFKA_MAX_WAIT_MS: '50' }, args);

/** Waits for the tail to exit by itself (it stops after --limit events); kills it if it does not. */
async function finished(tail: Tail): Promise<number | null> {
  const timer = setTimeout(() => tail.child.kill('SIGKILL'), 60_000);
  try {
    return await tail.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A leak event on `leakwatch.leaks.v1`, as the relay publishes it (key and partitionkey = the leak id). */
const leakMessage = (type: string, leakid: string, data: object = {}): CloudEvent =>
  cloudEvent({
    id: randomUUID(), type, source: 'leakwatch/leak-lifecycle', time: new Date().toISOString(), subject: `leak-${leakid}`,
    data: { leakid, ...data }, key: leakid, extensions: { partitionkey: leakid },
  });

describe('leakwatch events tail', () => {
  let pg: ThrowawayPostgres;
  let kafka: KafkaMock;
  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
  });
  afterAll(async () => Promise.all([pg?.stop(), kafka?.stop()]));

  it('from the event store: the leaks topic as published (mapped contract, partitionkey), filtered by type', async () => {
    const url = await pg.newDatabase('tail');
    const pool = new Pool({ connectionString: url });
    pool.on('error', () => undefined); // an idle client sees the server stop at teardown
    const store = await PostgresEventStore.create(pool);
    await store.appendToStream(
      `leak-${LEAK}`,
      [
        {
          id: randomUUID(), type: 'LeakDetected',
          data: {
            leakid: LEAK, kind: 'token', secret_type: 'github-pat', fingerprint: 'a'.repeat(64), preview: 'ghp_…(40)', identity: null, site: null,
            org_id: 'o1', source: { name: 'manual' }, risk: 'high', blockable: true, detected_at: '2026-01-01T00:00:00.000Z', finding_id: 'internal-id',
          },
          metadata: { occurred_at: '2026-01-01T00:00:00.000Z' },
        },
        { id: randomUUID(), type: 'VirtualPatchApplied', data: { leakid: LEAK }, metadata: { occurred_at: '2026-01-02T00:00:00.000Z' } },
      ],
      { expectedRevision: 'no_stream' },
    );
    await store.appendToStream(`org-o1`, [{ id: randomUUID(), type: 'OrganizationCreated', data: { org_id: 'o1', name: 'Acme' } }], { expectedRevision: 'no_stream' });
    await store.close();
    await pool.end();

    const all = await run(['events', 'tail', '--topic', 'leaks', '--from-beginning', '--limit', '2'], { DATABASE_URL: url, KAFKA_BROKERS: '' });
    const lines = all.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['LeakDetected', 'VirtualPatchApplied']);
    expect(lines[0]).toMatchObject({ specversion: '1.0', subject: `leak-${LEAK}`, partitionkey: LEAK, datacontenttype: 'application/json', data: { leakid: LEAK, source: { name: 'manual', url: null } } });
    expect(lines[0].data).not.toHaveProperty('finding_id');

    const patches = await run(['events', 'tail', '--from-beginning', '--type', 'VirtualPatchApplied', '--limit', '1'], { DATABASE_URL: url, KAFKA_BROKERS: '' });
    expect(patches.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['VirtualPatchApplied']);
  }, 90_000);

  it('from the event store, without --from-beginning: only events appended after the tail said it started', async () => {
    const url = await pg.newDatabase('tail_now');
    const pool = new Pool({ connectionString: url });
    pool.on('error', () => undefined);
    const store = await PostgresEventStore.create(pool);
    try {
      const patch = (leakid: string) => ({ id: randomUUID(), type: 'VirtualPatchApplied', data: { leakid }, metadata: { occurred_at: new Date().toISOString() } });
      const before = Array.from({ length: 3 }, () => randomBytes(16).toString('hex'));
      for (const leakid of before) await store.appendToStream(`leak-${leakid}`, [patch(leakid)], { expectedRevision: 'any' });
      const tail = startTail({ DATABASE_URL: url, KAFKA_BROKERS: '' }, ['--topic', 'leaks', '--limit', '2']);
      await eventually('the tail says it started', () => tail.stderr(), (e) => e.includes('from now on'), { timeoutMs: 60_000 });
      const after = [patch(randomBytes(16).toString('hex')), patch(randomBytes(16).toString('hex'))];
      for (const event of after) await store.appendToStream(`leak-${event.data.leakid}`, [event], { expectedRevision: 'any' });
      expect(await finished(tail)).toBe(0);
      // With history printed, the first two `before` events would take both places.
      expect(tail.lines().map((l) => l.id)).toEqual(after.map((e) => e.id));
    } finally {
      await store.close();
      await pool.end();
    }
  }, 90_000);

  it('from Kafka: the messages of a topic, as a throwaway consumer', async () => {
    const bus = new KafkaMessageBus({ brokers: kafka.brokers, clientId: 'tail-test' });
    const id = randomUUID();
    await bus.publish(TOPICS.access, [cloudEvent({ id, type: 'OrganizationCreated', source: 'leakwatch/access-control', time: '2026-01-01T00:00:00.000Z', subject: 'org-o2', data: { org_id: 'o2', name: 'Beta' }, key: 'o2', extensions: { partitionkey: 'o2' } })]);
    await bus.close();
    const child = spawn(process.execPath, [...cli, 'events', 'tail', '--topic', 'access', '--from-beginning', '--limit', '1'], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_MAX_WAIT_MS: '50' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toMatchObject({ id, type: 'OrganizationCreated', partitionkey: 'o2', data: { org_id: 'o2', name: 'Beta' } });
  }, 90_000);

  it('from Kafka: --type prints only events of those types, in the order published', async () => {
    // A broker of its own: the leaks topic holds exactly these messages, one leak (one partition, in order).
    const broker = await startKafkaMock({ topics: [...ALL_TOPICS] });
    try {
      const leakid = randomBytes(16).toString('hex');
      const published = [
        leakMessage('LeakDetected', leakid),
        leakMessage('VirtualPatchApplied', leakid),
        leakMessage('LeakStatusChanged', leakid, { from: 'open', to: 'fixed' }),
        leakMessage('VirtualPatchRemoved', leakid),
        leakMessage('VirtualPatchApplied', leakid),
      ];
      const bus = new KafkaMessageBus({ brokers: broker.brokers, clientId: 'tail-test', logger: silent });
      await bus.publish(TOPICS.leaks, published);
      await bus.close();

      // Unfiltered, the first two would be LeakDetected and VirtualPatchApplied.
      const patches = tailOverKafka(broker.brokers, ['--topic', 'leaks', '--from-beginning', '--type', 'VirtualPatchApplied', '--limit', '2']);
      expect(await finished(patches)).toBe(0);
      expect(patches.lines().map((l) => [l.type, l.id])).toEqual([['VirtualPatchApplied', published[1].id], ['VirtualPatchApplied', published[4].id]]);

      const two = tailOverKafka(broker.brokers, ['--from-beginning', '--type', 'LeakStatusChanged', 'VirtualPatchRemoved', '--limit', '2']);
      expect(await finished(two)).toBe(0);
      expect(two.lines().map((l) => l.id)).toEqual([published[2].id, published[3].id]);
    } finally {
      await broker.stop();
    }
  }, 90_000);

  it('from Kafka, without --from-beginning: only events published after the tail said it started, on every partition', async () => {
    const bus = new KafkaMessageBus({ brokers: kafka.brokers, clientId: 'tail-test', logger: silent });
    try {
      // Before: one event per key on several keys (so every partition of the topic has history).
      const before = Array.from({ length: 6 }, () => leakMessage('LeakDetected', randomBytes(16).toString('hex')));
      await bus.publish(TOPICS.leaks, before);
      const tail = tailOverKafka(kafka.brokers, ['--topic', 'leaks', '--limit', '6']);
      await eventually('the tail says it started', () => tail.stderr(), (e) => e.includes('from now on'), { timeoutMs: 60_000 });
      const after = Array.from({ length: 6 }, () => leakMessage('LeakStatusChanged', randomBytes(16).toString('hex'), { from: 'open', to: 'fixed' }));
      await bus.publish(TOPICS.leaks, after);
      expect(await finished(tail)).toBe(0);
      // With history printed, `before` events would take the six places.
      expect(tail.lines().map((l) => l.id).sort()).toEqual(after.map((e) => e.id).sort());
      expect(new Set(after.map((e) => e.key)).size).toBe(6);
    } finally {
      await bus.close();
    }
  }, 90_000);

  it('from Kafka: --topic leaks prints what the leak-lifecycle relay published (the mapped contract), nothing of other topics', async () => {
    const broker = await startKafkaMock({ topics: [...ALL_TOPICS] });
    const pool = await pg.newPool('tail_relay');
    pool.on('error', () => undefined);
    const store = await PostgresEventStore.create(pool, { pollIntervalMs: 20 });
    const bus = new KafkaMessageBus({ brokers: broker.brokers, clientId: 'tail-relays', logger: silent });
    const relays: EventRelay[] = [];
    try {
      const leakid = randomBytes(16).toString('hex');
      const stored = [
        {
          id: randomUUID(), type: 'LeakDetected',
          data: {
            leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'b'.repeat(64), preview: 'ghp_…(40)', identity: null, site: null,
            org_id: 'o3', source: { name: 'gitleaks' }, risk: 'critical', blockable: true, detected_at: '2026-02-01T00:00:00.000Z', finding_id: 'internal-id',
          },
          metadata: { occurred_at: '2026-02-01T00:00:00.000Z' },
        },
        { id: randomUUID(), type: 'VirtualPatchApplied', data: { leakid }, metadata: { occurred_at: '2026-02-01T00:01:00.000Z' } },
        { id: randomUUID(), type: 'LeakStatusChanged', data: { leakid, from: 'open', to: 'fixed', comment: 'rotated', reason: 'decision' }, metadata: { occurred_at: '2026-02-01T00:02:00.000Z' } },
      ];
      // An organisation's event first, relayed to the access topic by access-control's relay: never on the leaks topic.
      await store.appendToStream('org-o3', [{ id: randomUUID(), type: 'OrganizationCreated', data: { org_id: 'o3', name: 'Gamma' } }], { expectedRevision: 'no_stream' });
      await store.appendToStream(`leak-${leakid}`, stored, { expectedRevision: 'no_stream' });
      const mappers = new IntegrationMapperRegistry();
      mappers.register(TOPICS.leaks, leakIntegrationMapper);
      for (const [service, topic] of [['access-control', TOPICS.access], ['leak-lifecycle', TOPICS.leaks]] as const) {
        const relay = new EventRelay({ store, bus, checkpoints: await PostgresCheckpointStore.create(pool), name: `relay:${service}`, service, topics: [topic], mappers, logger: silent, lingerMs: 5 });
        relays.push(relay);
        await relay.start();
      }
      await eventually('both relays published', () => relays.map((r) => r.published), (n) => n[0] === 1 && n[1] === stored.length, { timeoutMs: 30_000 });

      const tail = tailOverKafka(broker.brokers, ['--topic', 'leaks', '--from-beginning', '--limit', String(stored.length)]);
      expect(await finished(tail)).toBe(0);
      const lines = tail.lines();
      expect(lines.map((l) => [l.id, l.type, l.time])).toEqual(stored.map((e) => [e.id, e.type, e.metadata.occurred_at]));
      for (const line of lines) {
        expect(line).toMatchObject({ specversion: '1.0', source: 'leakwatch/leak-lifecycle', subject: `leak-${leakid}`, partitionkey: leakid, datacontenttype: 'application/json', data: { leakid } });
      }
      // The contract, not the stored event: the source gains its url, the internal finding id stays behind.
      expect(lines[0].data).toMatchObject({ source: { name: 'gitleaks', url: null }, org_id: 'o3' });
      expect(lines[0].data).not.toHaveProperty('finding_id');
      expect(lines[2].data).toMatchObject({ from: 'open', to: 'fixed' });
      // The same broker's access topic holds the organisation's event: --topic picks the topic.
      const access = tailOverKafka(broker.brokers, ['--topic', 'access', '--from-beginning', '--limit', '1']);
      expect(await finished(access)).toBe(0);
      expect(access.lines()).toEqual([expect.objectContaining({ type: 'OrganizationCreated', source: 'leakwatch/access-control', partitionkey: 'o3' })]);
    } finally {
      for (const relay of relays) await relay.stop();
      await bus.close();
      await store.close();
      await pool.end();
      await broker.stop();
    }
  }, 90_000);
});
