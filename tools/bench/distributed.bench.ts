/**
 * `npm run bench:distributed`: how fast distributed mode converges. Five services as processes (each its own
 * database), the Kafka-protocol test broker, everything through the gateway, then `--samples` times each:
 * - a virtual patch answered 200 → the gateway's token check says `blocked` (leak-lifecycle → relay → Kafka →
 *   the gateway's token index);
 * - a key issued 201 → the key works at the gateway, at leak-lifecycle and at stats (access-control → relay →
 *   Kafka → each service's access directory). Each service is asked directly, as the gateway would forward.
 * Latencies are polled every 5 ms over loopback; the run prints p50/p95/max per figure.
 * Then (or alone, `--only relay`) the event relay's throughput against a raw kafkajs producer sending the same
 * messages to the same broker (support/relay-yardstick.ts), with the issue-16 target row.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { SERVICES, Service, startCluster, startKafkaMock, startThrowawayPostgres } from '@leakwatch/testing';
import { Api, benchAdminKey, orgAdmin } from './support/api';
import { machine, millis, percentile, positiveInt, printTable } from './support/format';
import { log, waitUntilAsync } from './support/process';
import { relayYardstick } from './support/relay-yardstick';
import { runBenchmark } from './support/run';
import { printTargets, target } from './support/targets';

const program = new Command('bench:distributed')
  .description('Convergence of distributed mode: virtual patch → blocked at the gateway, new key → usable at every service')
  .option('--samples <n>', 'measurements per figure', positiveInt, 20)
  .option('--timeout <minutes>', 'hard limit for the whole run', positiveInt, 10)
  .option('--relay-events <n>', 'events published by the relay and by the raw producer', positiveInt, 20_000)
  .option('--only <part>', 'run only "convergence" or only "relay"')
  .parse();
const { samples, timeout, relayEvents, only } = program.opts<{ samples: number; timeout: number; relayEvents: number; only?: string }>();
if (only && only !== 'convergence' && only !== 'relay') throw new Error('--only is "convergence" or "relay"');

/** Milliseconds until `probe` holds, polled every 5 ms; fails after `limitMs`. */
async function until(what: string, probe: () => Promise<boolean>, limitMs = 30_000): Promise<number> {
  const started = performance.now();
  if (!(await waitUntilAsync(probe, limitMs, 5))) throw new Error(`${what}: not within ${limitMs} ms`);
  return performance.now() - started;
}

void runBenchmark(timeout, async (resources) => {
  log(`Leakwatch distributed convergence — ${samples} samples per figure, ${machine()}`);
  const [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
  resources.onCleanUp(() => Promise.all([pg.stop(), kafka.stop()]).then(() => undefined));
  if (only !== 'convergence') {
    log(`relay ÷ raw kafkajs producer, ${relayEvents} events…`);
    const relayPool = await pg.newPool('relay_bench');
    const r = await relayYardstick(relayPool, kafka.brokers, relayEvents);
    const rate = (ms: number) => `${Math.round((r.events / ms) * 1000).toLocaleString('en-US')} events/s`;
    printTable(
      `Event relay to Kafka vs a raw kafkajs producer (${r.events} events, batches of 500, Kafka-protocol test broker; best of 3 runs each)`,
      [['figure', 'figure', 'left'], ['time', 'time', 'right'], ['rate', 'rate', 'right']],
      [
        { figure: 'raw kafkajs producer, the same encoded messages', time: millis(r.rawMs), rate: rate(r.rawMs) },
        { figure: 'EventRelay (store → CloudEvent → KafkaMessageBus, checkpoint per batch)', time: millis(r.relayMs), rate: rate(r.relayMs) },
      ],
    );
    printTargets([target('event relay to Kafka ÷ a raw kafkajs producer (same messages, same broker)', r.ratio.toFixed(2), '≥ 0.8', r.ratio >= 0.8)]);
    if (only === 'relay') return;
  }
  const databases = {} as Record<Service, string>;
  for (const service of SERVICES) databases[service] = await pg.newDatabase(service.replace('-', '_'));
  const adminKey = benchAdminKey();
  const cluster = await startCluster({
    databases,
    kafkaBrokers: kafka.brokers,
    adminKey,
    logLevel: 'warn',
    env: { LEAKWATCH_SECRETS_KEY: randomBytes(32).toString('hex'), KAFKA_IDEMPOTENT: 'false', KAFKA_MAX_WAIT_MS: '50', KAFKA_SESSION_TIMEOUT_MS: '6000' },
  });
  resources.onCleanUp(() => cluster.stop());
  const bootstrap = new Api(cluster.gatewayUrl, adminKey);
  await until('bootstrap key at the gateway', async () => (await bootstrap.call('GET', '/api/v1/orgs')).status === 200, 60_000);
  const { orgId, api } = await orgAdmin(bootstrap);
  await until('org admin key at the gateway', async () => (await api.call('GET', '/api/v1/leaks?limit=1')).status === 200, 60_000);

  const patchMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const [leakid] = (await api.expect<{ leakids: string[] }>(201, 'POST', '/api/v1/leaks', { source: { name: 'bench' }, tokens: [{ value: token }] })).body.leakids;
    const sha256 = createHash('sha256').update(token).digest('hex');
    await until('leak known to the gateway', async () => (await api.call<{ leaked: boolean }>('POST', '/api/v1/tokens/check', { sha256 })).body.leaked);
    await until('leak visible', async () => (await api.call('GET', `/api/v1/leaks/${leakid}`)).status === 200);
    await api.expect(200, 'POST', '/api/v1/leaks/virtual-patch', { leakid, enabled: true });
    patchMs.push(await until('blocked at the gateway', async () => (await api.call<{ blocked: boolean }>('POST', '/api/v1/tokens/check', { sha256 })).body.blocked));
  }

  const keyMs: Record<'gateway' | 'leak-lifecycle' | 'stats' | 'everywhere', number[]> = { gateway: [], 'leak-lifecycle': [], stats: [], everywhere: [] };
  const probes: Array<[keyof typeof keyMs, string, string]> = [
    ['gateway', cluster.gatewayUrl, '/api/v1/leaks?limit=1'],
    ['leak-lifecycle', cluster.services['leak-lifecycle'].url, '/api/v1/leaks?limit=1'],
    ['stats', cluster.services.stats.url, '/api/v1/stats/leaks?days=1'],
  ];
  for (let i = 0; i < samples; i++) {
    const issued = await bootstrap.expect<{ key: string }>(201, 'POST', '/api/v1/api-keys', { name: `k${i}`, role: 'analyst', org_id: orgId });
    const times = await Promise.all(
      probes.map(async ([name, url, route]) => {
        const ms = await until(`key at ${name}`, async () => (await new Api(url, issued.body.key).call('GET', route)).status === 200);
        keyMs[name].push(ms);
        return ms;
      }),
    );
    keyMs.everywhere.push(Math.max(...times));
  }

  const row = (figure: string, values: number[], target: string) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { figure, samples: String(values.length), p50: millis(percentile(sorted, 50)), p95: millis(percentile(sorted, 95)), max: millis(sorted.at(-1) ?? NaN), target };
  };
  printTable(
    'Distributed mode convergence (5 processes, Kafka-protocol test broker, loopback)',
    [['figure', 'figure', 'left'], ['samples', 'samples', 'right'], ['p50', 'p50', 'right'], ['p95', 'p95', 'right'], ['max', 'max', 'right'], ['target', 'target', 'left']],
    [
      row('virtual patch answered → blocked at the gateway', patchMs, '≤ 200 ms'),
      row('key issued → works at the gateway', keyMs.gateway, ''),
      row('key issued → works at leak-lifecycle', keyMs['leak-lifecycle'], ''),
      row('key issued → works at stats', keyMs.stats, ''),
      row('key issued → works everywhere', keyMs.everywhere, '≤ 500 ms'),
    ],
  );
});
