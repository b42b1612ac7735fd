/**
 * `leakwatch events tail`: the integration events a consumer would see, from the event store (embedded mode)
 * and from Kafka (distributed mode), as CloudEvents JSON lines mapped to the published contract.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { PostgresEventStore } from '@leakwatch/event-store';
import { ALL_TOPICS, KafkaMessageBus, TOPICS, cloudEvent } from '@leakwatch/messaging';
import { KafkaMock, startKafkaMock, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../..');
const cli = ['-r', './tools/register.js', 'tools/cli/src/main.ts'];
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, [...cli, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 });
const LEAK = 'ef'.repeat(16);

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
});
