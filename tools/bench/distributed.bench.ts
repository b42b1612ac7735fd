/**
 * `npm run bench:distributed`: how fast distributed mode converges (issue 10.5). The six services as processes
 * (each its own database) plus `--gateways` − 1 gateway replicas (default: two gateways), the Kafka-protocol test
 * broker. Figures, each timed from the moment the answer arrived:
 * - just after start: the bootstrap key works at every gateway; a first key issued at once works everywhere;
 * - (c) a manual add answered 201 (ingest) → the leak is readable (`GET /api/v1/leaks/{id}`, leak-lifecycle's
 *   read model) and known to every gateway's token check (ingest → Kafka → leak-lifecycle → Kafka → gateways);
 * - (a) a virtual patch answered 200 → the token check says `blocked` at every gateway (leak-lifecycle → relay
 *   → Kafka → each gateway's token index);
 * - (b) a key issued 201 → the key is recognised at every gateway and at each of the five other services, asked
 *   directly as a gateway forwards (access-control → relay → Kafka → each process's access directory).
 * Latencies are polled every 5 ms over loopback; the run prints p50/p95/max per figure and the issue-10 targets.
 * Before (or alone, `--only relay`) the event relay's throughput against a raw kafkajs producer sending the same
 * messages to the same broker (support/relay-yardstick.ts), with the issue-16 target row.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { databasePerService, SERVICES, startCluster, startKafkaMock, startThrowawayPostgres, TEST_BROKER_ENV } from '@leakwatch/testing';
import { Api, benchAdminKey } from './support/api';
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
  .option('--gateways <n>', 'gateway processes (the second and later are replicas, each with its own consumer groups)', positiveInt, 2)
  .parse();
const { samples, timeout, relayEvents, only, gateways: gatewayCount } = program.opts<{ samples: number; timeout: number; relayEvents: number; only?: string; gateways: number }>();
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
  const databases = await databasePerService(pg);
  const adminKey = benchAdminKey();
  const cluster = await startCluster({
    databases,
    kafkaBrokers: kafka.brokers,
    adminKey,
    logLevel: 'warn',
    env: { ...TEST_BROKER_ENV, LEAKWATCH_SECRETS_KEY: randomBytes(32).toString('hex') },
  });
  resources.onCleanUp(() => cluster.stop());
  const gateways = [cluster.gatewayUrl];
  const gatewayName = (i: number) => (gatewayCount === 1 ? 'gateway' : `gateway ${i + 1}`);

  // Just after start (every /health 200): the bootstrap key (issued by access-control as it starts) at the
  // gateway, then a first key issued at once, at the gateway and at each service.
  const upAt = performance.now();
  const bootstrap = new Api(cluster.gatewayUrl, adminKey);
  const bootstrapMs = await until('bootstrap key at the gateway', async () => (await bootstrap.call('GET', '/api/v1/orgs')).status === 200, 60_000);
  const orgId = (await bootstrap.expect<{ org_id: string }>(201, 'POST', '/api/v1/orgs', { name: 'Bench' })).body.org_id;

  /** Where a key must work: every gateway and every upstream, each asked directly (as a gateway forwards). */
  const probes: Array<{ name: string; url: string; method: string; route: string; body?: unknown }> = [
    { name: gatewayName(0), url: cluster.gatewayUrl, method: 'GET', route: '/api/v1/leaks?limit=1' },
    { name: 'access-control', url: cluster.services['access-control'].url, method: 'GET', route: '/api/v1/domains' },
    { name: 'ingest', url: cluster.services.ingest.url, method: 'POST', route: '/api/v1/leaks', body: {} }, // an analyst: 403 once known
    { name: 'leak-lifecycle', url: cluster.services['leak-lifecycle'].url, method: 'GET', route: '/api/v1/leaks?limit=1' },
    { name: 'stats', url: cluster.services.stats.url, method: 'GET', route: '/api/v1/stats/leaks?days=1' },
    { name: 'notifications', url: cluster.services.notifications.url, method: 'GET', route: '/api/v1/notifications/subscriptions' },
  ];
  const recognised = async (probe: (typeof probes)[number], key: string) => {
    const { status } = await new Api(probe.url, key).call(probe.method, probe.route, probe.body);
    if (status >= 500) throw new Error(`${probe.name} answered ${status}`);
    return status === 200 || status === 403;
  };
  /** Issues an analyst key, then ms until it is recognised (200, or 403 for a role it lacks; never 401) at each probe. */
  const keyEverywhere = async (name: string) => {
    const issued = await bootstrap.expect<{ key: string }>(201, 'POST', '/api/v1/api-keys', { name, role: 'analyst', org_id: orgId });
    const times = await Promise.all(probes.map((probe) => until(`key at ${probe.name}`, () => recognised(probe, issued.body.key))));
    return { key: issued.body.key, times: Object.fromEntries(probes.map((probe, i) => [probe.name, times[i]])) };
  };
  const first = await keyEverywhere('first');
  const firstKeyMs = Math.max(...Object.values(first.times));
  const sinceUpMs = performance.now() - upAt;

  // Gateway replicas: each builds its token index and access directory from Kafka in its own consumer groups.
  const replicaReadyMs: number[] = [];
  for (let i = 1; i < gatewayCount; i++) {
    const replica = await cluster.addReplica('gateway'); // resolves at its /health 200
    const probe = { name: gatewayName(i), url: replica.url, method: 'GET', route: '/api/v1/leaks?limit=1' };
    replicaReadyMs.push(await until(`existing key at ${probe.name}`, () => recognised(probe, first.key)));
    gateways.push(replica.url);
    probes.splice(i, 0, probe);
  }
  log(`${SERVICES.length} services${gatewayCount > 1 ? ` + ${gatewayCount - 1} gateway replica(s)` : ''} up`);

  const admin = (await bootstrap.expect<{ key: string }>(201, 'POST', '/api/v1/api-keys', { name: 'bench', role: 'admin', org_id: orgId, user_email: 'bench@bench.example', limit: 100_000_000 })).body.key;
  await Promise.all(gateways.map((url) => until('org admin key at a gateway', async () => (await new Api(url, admin).call('GET', '/api/v1/leaks?limit=1')).status === 200, 60_000)));
  const at = gateways.map((url) => new Api(url, admin));
  const api = at[0];

  const readableMs: number[] = [];
  const leakedMs: number[][] = gateways.map(() => []);
  const patchMs: number[][] = gateways.map(() => []);
  for (let i = 0; i < samples; i++) {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const sha256 = createHash('sha256').update(token).digest('hex');
    // (c) a manual add (ingest) → readable (leak-lifecycle's read model) and known to each gateway's token check
    const [leakid] = (await api.expect<{ leakids: string[] }>(201, 'POST', '/api/v1/leaks', { source: { name: 'bench' }, tokens: [{ value: token }] })).body.leakids;
    const added = await Promise.all([
      until('manual add readable', async () => (await api.call('GET', `/api/v1/leaks/${leakid}`)).status === 200),
      ...at.map((gateway) => until('leak known to a gateway', async () => (await gateway.call<{ leaked: boolean }>('POST', '/api/v1/tokens/check', { sha256 })).body.leaked)),
    ]);
    readableMs.push(added[0]);
    added.slice(1).forEach((ms, g) => leakedMs[g].push(ms));
    // (a) a virtual patch answered 200 → blocked at every gateway
    await api.expect(200, 'POST', '/api/v1/leaks/virtual-patch', { leakid, enabled: true });
    const blocked = await Promise.all(at.map((gateway) => until('blocked at a gateway', async () => (await gateway.call<{ blocked: boolean }>('POST', '/api/v1/tokens/check', { sha256 })).body.blocked)));
    blocked.forEach((ms, g) => patchMs[g].push(ms));
  }

  // (b) a key issued → recognised at every gateway and every service
  const keyMs: Record<string, number[]> = Object.fromEntries([...probes.map((p) => p.name), 'everywhere'].map((name) => [name, []]));
  for (let i = 0; i < samples; i++) {
    const { times } = await keyEverywhere(`k${i}`);
    for (const [name, ms] of Object.entries(times)) keyMs[name].push(ms);
    keyMs.everywhere.push(Math.max(...Object.values(times)));
  }

  const maxOf = (values: number[]) => Math.max(...values);
  const everyGateway = (per: number[][]) => per[0].map((_, i) => Math.max(...per.map((g) => g[i])));
  const row = (figure: string, values: number[], targetText: string) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { figure, samples: String(values.length), p50: millis(percentile(sorted, 50)), p95: millis(percentile(sorted, 95)), max: millis(sorted.at(-1) ?? NaN), target: targetText };
  };
  const patchEverywhere = everyGateway(patchMs);
  const leakedEverywhere = everyGateway(leakedMs);
  printTable(
    `Distributed mode convergence (${SERVICES.length} services + ${gatewayCount - 1} gateway replica(s) as processes, Kafka-protocol test broker, loopback; each figure from the answer on)`,
    [['figure', 'figure', 'left'], ['samples', 'samples', 'right'], ['p50', 'p50', 'right'], ['p95', 'p95', 'right'], ['max', 'max', 'right'], ['target', 'target', 'left']],
    [
      row('all /health 200 → bootstrap key works at the gateway', [bootstrapMs], ''),
      row(`first key, issued at once (${millis(sinceUpMs - firstKeyMs)} after start) → works at gateway 1 and every service`, [firstKeyMs], '≤ 500 ms'),
      ...replicaReadyMs.map((ms, i) => row(`${gatewayName(i + 1)} started (/health 200) → knows that key`, [ms], '')),
      ...gateways.map((_, g) => row(`virtual patch answered → blocked at ${gatewayName(g)}`, patchMs[g], '')),
      row('virtual patch answered → blocked at every gateway', patchEverywhere, '≤ 200 ms'),
      ...probes.map((probe) => row(`key issued → works at ${probe.name}`, keyMs[probe.name], '')),
      row('key issued → works everywhere', keyMs.everywhere, '≤ 500 ms'),
      row('manual add answered → readable (GET /api/v1/leaks/{id})', readableMs, ''),
      row('manual add answered → known to every gateway (token check)', leakedEverywhere, ''),
    ],
  );
  printTargets(
    [
      target('virtual patch → blocked at every gateway, max', millis(maxOf(patchEverywhere)), '≤ 200 ms', maxOf(patchEverywhere) <= 200),
      target('key issued just after start → works everywhere', millis(firstKeyMs), '≤ 500 ms', firstKeyMs <= 500),
      target('key issued → works everywhere, max', millis(maxOf(keyMs.everywhere)), '≤ 500 ms', maxOf(keyMs.everywhere) <= 500),
    ],
    10,
  );
});
