/**
 * Token-check benchmark (issue 17; not a test). In one run, with the same load generator settings for every
 * endpoint (raw keep-alive sockets from a process of its own, see load.ts):
 * - the yardstick: a bare Fastify hello-world JSON endpoint in its own process;
 * - `POST /api/v1/tokens/check`, `GET /api/v1/tokens/authorize` (nginx auth_request), `GET /api/v1/tokens/range/{prefix}`
 *   and an authenticated `GET /api/v1/leaks?limit=20` on the embedded Leakwatch (API-key auth and usage counting on);
 * - the token check at 70% of its own measured maximum (fixed rate): p99;
 * - the list again with 200,000 leaks stored;
 * - the local blocklist client's check in this process (`isBlockedSha256`, and `isBlocked` which hashes first).
 * Each row also prints the CPU the server's process tree (Leakwatch and its PostgreSQL; the bare server for the
 * yardstick) used during it, per request: unlike rates, a figure that hardly moves with what else a shared machine runs.
 * Background work a request causes later (an attempt's projection) is only counted while the row runs.
 * Measurements start once the server has settled (its background projection work after seeding is done).
 * Tokens are seeded through the API (500 per request), so the gateway index gets them as in production; the list's
 * larger sizes are topped up with read-model rows copied in SQL from those (what the list reads), which takes seconds.
 *
 *   npm run bench:token-check -- --tokens 2000 --seconds 5 --connections 32
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { Pool } from 'pg';
import { BlocklistClient } from '@leakwatch/blocklist-client';
import type { Caller } from '@leakwatch/authz';
import { LeakQueries } from '@leakwatch/leak-lifecycle/feature';
import type { LeakFilters } from '@leakwatch/leak-lifecycle/feature';
import { Api, benchAdminKey, orgAdmin } from '../support/api';
import { machine, positiveInt, printTable } from '../support/format';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { SERVICES, Service, startCluster, startKafkaMock, startThrowawayPostgres } from '@leakwatch/testing';
import { Resources, log, startLeakwatch, stopChild, waitUntilAsync } from '../support/process';
import { runBenchmark } from '../support/run';
import { printTargets, target } from '../support/targets';
import { LoadResult, httpRequest, runLoad } from './load';
import { durationBuckets, eventLoopDelay, p99BoundMs } from './server-latency';

interface Options {
  tokens: number;
  seconds: number;
  connections: number;
  listSizes: string;
  timeout: number;
  only?: string;
  explain?: boolean;
  target: string;
}

/** Servers `--target` may choose: the embedded process (`npm start`) and distributed mode's gateway service alone. */
const TARGETS = ['embedded', 'gateway'] as const;
type TargetName = (typeof TARGETS)[number];

function chosenTargets(list: string): Set<TargetName> {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (!(TARGETS as readonly string[]).includes(name)) throw new Error(`--target: unknown target ${name} (targets: ${TARGETS.join(', ')})`);
  return new Set(names as TargetName[]);
}

/** Rows `--only` may choose (all when absent). */
const ROWS = ['bare', 'check', 'authorize', 'range', 'list', 'paced', 'local'] as const;
type RowName = (typeof ROWS)[number];

function chosenRows(only: string | undefined): Set<RowName> {
  if (!only) return new Set(ROWS);
  const names = only.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (!(ROWS as readonly string[]).includes(name)) throw new Error(`--only: unknown row ${name} (rows: ${ROWS.join(', ')})`);
  const chosen = new Set(names as RowName[]);
  if (chosen.has('paced')) chosen.add('check'); // the paced rate is 70% of the measured max
  return chosen;
}

const EMPTY: Measured = { requests: 0, errors: 0, seconds: 0, rps: NaN, p50: NaN, p99: NaN, cpuUsPerRequest: NaN, nodeUsPerRequest: NaN };

/** Runs a load against the server whose process tree is `pid`, and charges the CPU that tree used to the requests. */
async function withCpu(pid: number | undefined, load: () => Promise<LoadResult>): Promise<Measured> {
  const before = [treeCpuMs(pid), ownCpuMs(pid)];
  const result = await load();
  const after = [treeCpuMs(pid), ownCpuMs(pid)];
  const per = (i: number) => (before[i] === undefined || after[i] === undefined || !result.requests ? NaN : (((after[i] as number) - (before[i] as number)) * 1000) / result.requests);
  return { ...result, cpuUsPerRequest: per(0), nodeUsPerRequest: per(1) };
}

/** `/proc/<pid>/stat` fields from the 3rd (state) on, or undefined. */
function procStat(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (ms) of the process itself (without its children, e.g. PostgreSQL). */
function ownCpuMs(pid: number | undefined): number | undefined {
  const fields = pid ? procStat(pid) : undefined;
  return fields ? (Number(fields[11]) + Number(fields[12])) * TICK_MS : undefined; // utime + stime
}

/**
 * CPU time (ms) of a process tree: each living member's own time plus what its reaped children used (cutime,
 * cstime), so a PostgreSQL backend that ends during a row still counts (summing living processes alone loses it).
 */
function treeCpuMs(rootPid: number | undefined): number | undefined {
  if (!rootPid) return undefined;
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const fields = procStat(name);
    if (!fields) continue; // ended meanwhile
    parent.set(Number(name), Number(fields[1]));
    cpu.set(Number(name), (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_MS);
  }
  if (!cpu.has(rootPid)) return undefined;
  let total = 0;
  for (const [pid, ms] of cpu) {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) {
      if (p === rootPid) {
        total += ms;
        break;
      }
    }
  }
  return total;
}

interface Row {
  endpoint: string;
  requests: string;
  errors: string;
  rps: string;
  p50: string;
  p99: string;
  ratio: string;
  cpu: string;
}

/** A load result with the CPU the server used meanwhile (its process tree: Leakwatch and its PostgreSQL), per request. */
type Measured = LoadResult & { cpuUsPerRequest: number; nodeUsPerRequest: number };

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(options: Options): Promise<void> {
  const rows = chosenRows(options.only);
  await runBenchmark(options.timeout, async (resources) => {
    const bare = resources.spawn(['tools/bench/token-check/bare-fastify.ts'], process.env);
    const barePort = Number((await createInterface({ input: bare.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]().next()).value);
    const targets = chosenTargets(options.target);
    if (targets.has('gateway')) await gatewayTable(resources, options, rows, bare.pid as number, barePort);
    if (!targets.has('embedded')) return;

    const adminKey = benchAdminKey();
    const app = await startLeakwatch(resources, adminKey);
    const port = Number(new URL(app.url).port);
    const { key, api, orgId } = await orgAdmin(new Api(app.url, adminKey));

    log(`seeding ${options.tokens} leaked tokens (500 per request)`);
    const { tokens, patched } = await seedTokens(api, options.tokens);
    // Every change has reached the gateway index and the list, and the server's background work (projections,
    // consumers) is done: measuring while it still runs would charge it to the endpoints.
    const listed = () => api.call<{ total: number }>('GET', '/api/v1/leaks?limit=1').then((r) => r.body.total >= tokens.length);
    if (!(await waitUntilAsync(listed, 300_000))) throw new Error('the leaks did not reach the list in time');
    await settled(app.child.pid as number);

    // The same settings for every endpoint of the run.
    // Each row starts on a quiet server: the attempts a check row recorded are folded into leak histories after
    // it, and would otherwise be charged to the next row (its rate and its CPU).
    const measure = async (requests: string[], ok = [200], rate?: number) => {
      await settled(app.child.pid as number);
      return withCpu(app.child.pid, () => runLoad({ port, requests, connections: options.connections, durationMs: options.seconds * 1000, ok, rate }));
    };
    const auth = { 'X-API-Key': key };
    const probes = Array.from({ length: 2000 }, (_, i) => (i % 2 ? tokens[i % tokens.length] : `ghp_${randomBytes(18).toString('hex')}`)); // half leaked
    const checkRequests = probes.map((token) => httpRequest('POST', '/api/v1/tokens/check', auth, JSON.stringify({ token })));
    const authorizeRequests = probes.map((token) => httpRequest('GET', '/api/v1/tokens/authorize', { 'X-Leakwatch-Key': key, Authorization: `Bearer ${token}` }));
    const rangeRequests = probes.map((token) => httpRequest('GET', `/api/v1/tokens/range/${createHash('sha256').update(token).digest('hex').slice(0, 5)}`, auth));
    const listRequests = [httpRequest('GET', '/api/v1/leaks?limit=20', auth)];
    const bareRequests = [httpRequest('GET', '/hello')];

    log('warming up');
    const warmUps: Array<[RowName, string[]]> = [['bare', bareRequests], ['check', checkRequests], ['authorize', authorizeRequests], ['range', rangeRequests], ['list', listRequests]];
    for (const requests of warmUps.filter(([name]) => rows.has(name)).map(([, r]) => r)) {
      await runLoad({ port: requests === bareRequests ? barePort : port, requests, connections: options.connections, durationMs: 2000, ok: [200, 204, 403] });
    }

    const listSizes = options.listSizes.split(',').map(Number);
    const pool = embeddedPool(resources);
    try {
      log(`measuring (${options.seconds} s each, ${options.connections} connections)`);
      if (rows.has('bare')) await settled(app.child.pid as number);
      const bareResult = rows.has('bare') ? await withCpu(bare.pid, () => runLoad({ port: barePort, requests: bareRequests, connections: options.connections, durationMs: options.seconds * 1000, ok: [200] })) : EMPTY;
      const checkResult = rows.has('check') ? await measure(checkRequests) : EMPTY;
      const authorizeResult = rows.has('authorize') ? await measure(authorizeRequests, [204, 403]) : EMPTY;
      const rangeResult = rows.has('range') ? await measure(rangeRequests) : EMPTY;
      const lists: Array<[number, Measured]> = [];
      for (const size of rows.has('list') ? listSizes : []) {
        const stored = await topUpLeaks(pool, size);
        log(`list with ${fmt(stored)} leaks stored`);
        await settled(app.child.pid as number); // the attempts the checks above recorded are still being projected
        await runLoad({ port, requests: listRequests, connections: options.connections, durationMs: 2000, ok: [200] });
        lists.push([stored, await measure(listRequests)]);
        if (options.explain) await explainPage(pool, { keyId: 'bench', role: 'admin', orgId, email: 'bench@bench.example', verifiedDomains: [] });
      }
      const at70 = rows.has('paced') ? Math.max(1, Math.floor(checkResult.rps * 0.7)) : 0;
      const pacedBefore = rows.has('paced') ? await durationBuckets(app.url, 'POST', '/api/v1/tokens/check') : undefined;
      const paced = rows.has('paced') ? await measure(checkRequests, [200], at70) : EMPTY;
      if (pacedBefore) logServerP99(pacedBefore, await durationBuckets(app.url, 'POST', '/api/v1/tokens/check'), paced.p99, await eventLoopDelay(app.url));
      const local = rows.has('local') ? await localClientCheck(app.url, key, tokens, patched.length) : { perSecond: NaN, bySha256: NaN, size: 0 };

      const row = (endpoint: string, r: Measured): Row => ({
        endpoint,
        requests: fmt(r.requests),
        errors: fmt(r.errors),
        rps: fmt(r.rps),
        p50: r.p50.toFixed(2),
        p99: r.p99.toFixed(2),
        ratio: (r.rps / bareResult.rps).toFixed(2),
        cpu: Number.isNaN(r.cpuUsPerRequest) ? 'n/a' : `${fmt(r.cpuUsPerRequest)} (${fmt(r.nodeUsPerRequest)})`,
      });
      printTable(
        `Leakwatch token-check benchmark — ${fmt(options.tokens)} leaked tokens (${fmt(patched.length)} patched), ${options.connections} keep-alive connections, ${options.seconds} s each; ${machine()}`,
        [['endpoint', 'endpoint', 'left'], ['requests', 'requests', 'right'], ['errors', 'errors', 'right'], ['rps', 'req/s', 'right'], ['p50', 'p50 ms', 'right'], ['p99', 'p99 ms', 'right'], ['ratio', '÷ bare', 'right'], ['cpu', 'server CPU µs/req (Node alone)', 'right']],
        [
          ...(rows.has('bare') ? [row('bare Fastify GET /hello (yardstick, own process)', bareResult)] : []),
          ...(rows.has('check') ? [row('POST /api/v1/tokens/check', checkResult)] : []),
          ...(rows.has('authorize') ? [row('GET /api/v1/tokens/authorize (auth_request)', authorizeResult)] : []),
          ...(rows.has('range') ? [row('GET /api/v1/tokens/range/{prefix}', rangeResult)] : []),
          ...lists.map(([size, r]) => row(`GET /api/v1/leaks?limit=20 (${fmt(size)} leaks)`, r)),
          ...(rows.has('paced') ? [row(`POST /api/v1/tokens/check at ${fmt(at70)} req/s (70% of max)`, paced)] : []),
        ],
      );
      if (rows.has('local'))
        console.log(`local blocklist client (${fmt(local.size)} blocked in the set): isBlockedSha256(hex) ${fmt(local.bySha256)} checks/s; isBlocked(token) ${fmt(local.perSecond)} checks/s (hashes the token with SHA-256 first)`);
      if (options.only) return; // a partial run (profiling): no targets

      printTargets([
        target('token check ÷ bare Fastify (same run)', (checkResult.rps / bareResult.rps).toFixed(2), '≥ 0.50', checkResult.rps / bareResult.rps >= 0.5),
        target('token check p99 at 70% of its max', `${paced.p99.toFixed(2)} ms`, '≤ 5 ms', paced.p99 <= 5),
        target('auth_request endpoint ÷ bare Fastify', (authorizeResult.rps / bareResult.rps).toFixed(2), '≥ 0.50', authorizeResult.rps / bareResult.rps >= 0.5),
        ...lists.map(([size, r]) => target(`GET /api/v1/leaks?limit=20, ${fmt(size)} leaks`, `${fmt(r.rps)} req/s`, '≥ 3,000 req/s', r.rps >= 3000)),
        target('local client check (embedded set), by fingerprint', `${fmt(local.bySha256)} checks/s`, '≥ 1,000,000 checks/s', local.bySha256 >= 1_000_000),
        target('local client check, by token (SHA-256 included)', `${fmt(local.perSecond)} checks/s`, '≥ 1,000,000 checks/s', local.perSecond >= 1_000_000),
      ], 17);
    } finally {
      await pool.end();
    }
  });
}

/**
 * The token check, auth_request and range rows (and the check at 70% of its max) against distributed mode's
 * gateway service as its own process — what a production gateway runs: the token index, the access directory and
 * usage/attempt batching; attempts are published to Kafka, not appended to a local store with local projections.
 * The other five services, a throwaway PostgreSQL and the Kafka test broker run beside it (startCluster); the
 * gateway is then restarted through Resources.spawn so BENCH_NODE_ARGS (e.g. --cpu-prof) applies to it. Tokens are
 * seeded through the gateway as in tools/e2e-distributed. The CPU column is the gateway process's own; the CPU the
 * other services spent meanwhile (the attempts' downstream work) is logged separately.
 */
async function gatewayTable(resources: Resources, options: Options, rows: Set<RowName>, barePid: number, barePort: number): Promise<void> {
  log('gateway target: a throwaway PostgreSQL, the Kafka test broker and the six services');
  const [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
  let stopped = false;
  const stopAll: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const s of stopAll.reverse()) await s().catch((error: Error) => log(`clean-up: ${error.message}`));
  };
  resources.onCleanUp(stop);
  stopAll.push(() => Promise.all([pg.stop(), kafka.stop()]));
  const databases = {} as Record<Service, string>;
  for (const service of SERVICES) databases[service] = await pg.newDatabase(service.replace('-', '_'));
  const adminKey = benchAdminKey();
  const env = { LEAKWATCH_SECRETS_KEY: randomBytes(32).toString('hex'), KAFKA_IDEMPOTENT: 'false', KAFKA_MAX_WAIT_MS: '50', KAFKA_SESSION_TIMEOUT_MS: '6000' };
  const cluster = await startCluster({ databases, kafkaBrokers: kafka.brokers, adminKey, logLevel: 'warn', env });
  stopAll.push(() => cluster.stop());
  // The same gateway again, as a child of this run (BENCH_NODE_ARGS applies), with the environment startCluster gives it.
  await cluster.kill('gateway');
  const port = cluster.services.gateway.port;
  const upstreams: Record<string, string> = {
    INGEST_URL: cluster.services.ingest.url,
    LEAK_LIFECYCLE_URL: cluster.services['leak-lifecycle'].url,
    ACCESS_CONTROL_URL: cluster.services['access-control'].url,
    STATS_URL: cluster.services.stats.url,
    NOTIFICATIONS_URL: cluster.services.notifications.url,
  };
  const gateway = resources.spawn(['apps/gateway/src/main.ts'], {
    ...process.env,
    ...env,
    ...upstreams,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databases.gateway,
    KAFKA_BROKERS: kafka.brokers.join(','),
    LOG_LEVEL: 'warn',
    LEAKWATCH_ADMIN_KEY: adminKey,
  });
  let output = '';
  gateway.stdout?.on('data', (c) => (output = (output + c).slice(-20_000)));
  gateway.stderr?.on('data', (c) => (output = (output + c).slice(-20_000)));
  stopAll.push(() => stopChild(gateway, 20_000)); // stopped first (the list runs in reverse)
  const url = cluster.gatewayUrl;
  const healthy = await waitUntilAsync(async () => {
    if (gateway.exitCode !== null) throw new Error(`the gateway exited with ${gateway.exitCode}:\n${output}`);
    return fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
  }, 120_000);
  if (!healthy) throw new Error(`the gateway was not healthy within 120 s:\n${output}`);

  const bootstrap = new Api(url, adminKey);
  if (!(await waitUntilAsync(async () => (await bootstrap.call('GET', '/api/v1/orgs')).status === 200, 60_000))) throw new Error('the bootstrap key did not reach the gateway');
  const { key, api } = await orgAdmin(bootstrap);
  if (!(await waitUntilAsync(async () => (await api.call('GET', '/api/v1/leaks?limit=1')).status === 200, 60_000))) throw new Error('the org admin key did not reach the gateway');

  log(`gateway: seeding ${options.tokens} leaked tokens through the gateway (500 per request)`);
  const { tokens, patched } = await seedTokens(api, options.tokens);
  await settled(gateway.pid as number);

  const others = SERVICES.filter((s) => s !== 'gateway').map((s) => cluster.services[s].child.pid as number);
  const othersCpu = () => others.reduce((sum, pid) => sum + (treeCpuMs(pid) ?? 0), 0);
  const measure = async (label: string, requests: string[], ok = [200], rate?: number) => {
    const before = othersCpu();
    const result = await withCpu(gateway.pid, () => runLoad({ port, requests, connections: options.connections, durationMs: options.seconds * 1000, ok, rate }));
    if (result.requests) log(`gateway ${label}: the other five services used ${fmt(((othersCpu() - before) * 1000) / result.requests)} µs CPU per request meanwhile (attempts consumed downstream)`);
    return result;
  };
  const auth = { 'X-API-Key': key };
  const probes = Array.from({ length: 2000 }, (_, i) => (i % 2 ? tokens[i % tokens.length] : `ghp_${randomBytes(18).toString('hex')}`)); // half leaked
  const checkRequests = probes.map((token) => httpRequest('POST', '/api/v1/tokens/check', auth, JSON.stringify({ token })));
  const authorizeRequests = probes.map((token) => httpRequest('GET', '/api/v1/tokens/authorize', { 'X-Leakwatch-Key': key, Authorization: `Bearer ${token}` }));
  const rangeRequests = probes.map((token) => httpRequest('GET', `/api/v1/tokens/range/${createHash('sha256').update(token).digest('hex').slice(0, 5)}`, auth));
  const bareRequests = [httpRequest('GET', '/hello')];

  log('gateway: warming up');
  const warmUps: Array<[RowName, string[]]> = [['bare', bareRequests], ['check', checkRequests], ['authorize', authorizeRequests], ['range', rangeRequests]];
  for (const [, requests] of warmUps.filter(([name]) => rows.has(name))) {
    await runLoad({ port: requests === bareRequests ? barePort : port, requests, connections: options.connections, durationMs: 2000, ok: [200, 204, 403] });
  }
  await settled(gateway.pid as number);

  // The other services' CPU with no load at all (their consumers polling the broker): charged per request in the
  // log lines below, it is not the requests' doing.
  const idleFrom = othersCpu();
  await new Promise((r) => setTimeout(r, 3000));
  log(`gateway: with no load, the other five services use ${(((othersCpu() - idleFrom) / 3000) * 100).toFixed(0)}% of a core (consumers polling the broker every KAFKA_MAX_WAIT_MS)`);
  log(`gateway: measuring (${options.seconds} s each, ${options.connections} connections)`);
  const bareResult = rows.has('bare') ? await withCpu(barePid, () => runLoad({ port: barePort, requests: bareRequests, connections: options.connections, durationMs: options.seconds * 1000, ok: [200] })) : EMPTY;
  const checkResult = rows.has('check') ? await measure('check', checkRequests) : EMPTY;
  const authorizeResult = rows.has('authorize') ? await measure('authorize', authorizeRequests, [204, 403]) : EMPTY;
  const rangeResult = rows.has('range') ? await measure('range', rangeRequests) : EMPTY;
  const at70 = rows.has('paced') ? Math.max(1, Math.floor(checkResult.rps * 0.7)) : 0;
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const pacedBefore = rows.has('paced') ? await durationBuckets(gatewayUrl, 'POST', '/api/v1/tokens/check') : undefined;
  const paced = rows.has('paced') ? await measure('check at 70%', checkRequests, [200], at70) : EMPTY;
  if (pacedBefore) logServerP99(pacedBefore, await durationBuckets(gatewayUrl, 'POST', '/api/v1/tokens/check'), paced.p99, await eventLoopDelay(gatewayUrl));

  const row = (endpoint: string, r: Measured): Row => ({
    endpoint,
    requests: fmt(r.requests),
    errors: fmt(r.errors),
    rps: fmt(r.rps),
    p50: r.p50.toFixed(2),
    p99: r.p99.toFixed(2),
    ratio: (r.rps / bareResult.rps).toFixed(2),
    cpu: Number.isNaN(r.nodeUsPerRequest) ? 'n/a' : fmt(r.nodeUsPerRequest),
  });
  printTable(
    `Leakwatch token-check benchmark, distributed mode's gateway service (its own process) — ${fmt(options.tokens)} leaked tokens (${fmt(patched.length)} patched), ${options.connections} keep-alive connections, ${options.seconds} s each; ${machine()}`,
    [['endpoint', 'endpoint', 'left'], ['requests', 'requests', 'right'], ['errors', 'errors', 'right'], ['rps', 'req/s', 'right'], ['p50', 'p50 ms', 'right'], ['p99', 'p99 ms', 'right'], ['ratio', '÷ bare', 'right'], ['cpu', 'gateway CPU µs/req', 'right']],
    [
      ...(rows.has('bare') ? [row('bare Fastify GET /hello (yardstick, own process)', bareResult)] : []),
      ...(rows.has('check') ? [row('gateway POST /api/v1/tokens/check', checkResult)] : []),
      ...(rows.has('authorize') ? [row('gateway GET /api/v1/tokens/authorize (auth_request)', authorizeResult)] : []),
      ...(rows.has('range') ? [row('gateway GET /api/v1/tokens/range/{prefix}', rangeResult)] : []),
      ...(rows.has('paced') ? [row(`gateway POST /api/v1/tokens/check at ${fmt(at70)} req/s (70% of max)`, paced)] : []),
    ],
  );
  await stop(); // the embedded table (if any) runs without the cluster beside it
  if (options.only) return;
  printTargets([
    target('gateway service: token check ÷ bare Fastify (same run)', (checkResult.rps / bareResult.rps).toFixed(2), '≥ 0.50', checkResult.rps / bareResult.rps >= 0.5),
    target('gateway service: token check p99 at 70% of its max', `${paced.p99.toFixed(2)} ms`, '≤ 5 ms', paced.p99 <= 5),
    target('gateway service: auth_request endpoint ÷ bare Fastify', (authorizeResult.rps / bareResult.rps).toFixed(2), '≥ 0.50', authorizeResult.rps / bareResult.rps >= 0.5),
  ], 17);
}

/**
 * Copies leak read-model rows (`ll_leaks`, what the list reads) until `size` are stored: new leak ids and
 * fingerprints, spread first_seen; everything else as the API-seeded rows. Returns the count.
 */
async function topUpLeaks(pool: Pool, size: number): Promise<number> {
  const stored = Number((await pool.query(`SELECT count(*)::int AS n FROM ll_leaks`)).rows[0].n);
  if (stored >= size) return stored;
  const columns: string[] = (await pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'll_leaks' ORDER BY ordinal_position`)).rows.map((r) => r.column_name);
  const value = (column: string) =>
    ({
      leakid: `md5(t.leakid || ':${stored}:' || g)`,
      fingerprint: `encode(sha256(convert_to(t.leakid || ':${stored}:' || g, 'UTF8')), 'hex')`,
      first_seen: `t.first_seen - make_interval(secs => g)`,
      last_seen: `t.last_seen - make_interval(secs => g)`,
    })[column] ?? `t.${column}`;
  const templates = Number((await pool.query(`SELECT count(*)::int AS n FROM ll_leaks WHERE kind = 'token'`)).rows[0].n);
  const copies = Math.ceil((size - stored) / templates);
  const started = performance.now();
  await pool.query(
    `INSERT INTO ll_leaks (${columns.join(', ')})
     SELECT ${columns.map(value).join(', ')} FROM (SELECT * FROM ll_leaks WHERE kind = 'token') t CROSS JOIN generate_series(1, ${copies}) g
     LIMIT ${size - stored} ON CONFLICT DO NOTHING`,
  );
  // VACUUM as well as ANALYZE: otherwise autovacuum takes on the 180,000 new rows during the list's row and competes with it.
  await pool.query(`VACUUM (ANALYZE) ll_leaks`);
  log(`copied ${fmt(size - stored)} leak rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return Number((await pool.query(`SELECT count(*)::int AS n FROM ll_leaks`)).rows[0].n);
}

/**
 * Waits (up to 2 minutes) until the server's process tree (Node and its PostgreSQL, where autovacuum and the
 * checkpointer run) uses under 10% of a CPU for 2 s in a row.
 */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    const before = treeCpuMs(pid) ?? 0;
    await new Promise((r) => setTimeout(r, 1000));
    quiet = (treeCpuMs(pid) ?? 0) - before < 100 ? quiet + 1 : 0;
  }
  if (quiet < 2) log('the server did not settle within 2 minutes: measuring anyway');
}

/** The blocklist client synced from the running Leakwatch, then `isBlocked` over the seeded tokens for 2 s. */
async function localClientCheck(url: string, key: string, tokens: string[], blocked: number): Promise<{ perSecond: number; bySha256: number; size: number }> {
  const client = new BlocklistClient({ baseUrl: url, apiKey: key, waitSeconds: 0 });
  await client.start();
  await waitUntilAsync(async () => client.size >= blocked, 30_000);
  let checks = 0;
  let hits = 0;
  const started = performance.now();
  while (performance.now() - started < 2000) {
    for (let i = 0; i < 10_000; i++) if (client.isBlocked(tokens[(checks + i) % tokens.length])) hits++;
    checks += 10_000;
  }
  const perSecond = checks / ((performance.now() - started) / 1000);
  const fingerprints = tokens.map((t) => createHash('sha256').update(t).digest('hex'));
  let lookups = 0;
  const lookupStart = performance.now();
  while (performance.now() - lookupStart < 2000) {
    for (let i = 0; i < 10_000; i++) if (client.isBlockedSha256(fingerprints[(lookups + i) % fingerprints.length])) hits++;
    lookups += 10_000;
  }
  const bySha256 = lookups / ((performance.now() - lookupStart) / 1000);
  const size = client.size;
  await client.stop();
  if (hits === 0) throw new Error('the local client blocked none of the patched tokens');
  return { perSecond, bySha256, size };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the list's page query (first page, default order) exactly as the server builds
 * it: Leakwatch's own list query runs once here against the server's database, and its page statement (the one
 * selecting `sort_value`) is run again under EXPLAIN with the same text and values.
 */
async function explainPage(pool: Pool, caller: Caller): Promise<void> {
  let page: { text: string; values: unknown[] } | undefined;
  const recording = {
    query: (query: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
      const { text, values: bound } = typeof query === 'string' ? { text: query, values } : query;
      if (!page && /\bsort_value\b/.test(text)) page = { text, values: bound ?? [] };
      return pool.query(query as string, values);
    },
  } as unknown as Pool;
  await new LeakQueries(recording).list(caller, { limit: 20 } as LeakFilters);
  if (!page) {
    log('explain: the list did not run a page query');
    return;
  }
  for (const run of ['first run', 'again (planned and cached)']) {
    const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${page.text}`, page.values);
    log(`EXPLAIN (ANALYZE, BUFFERS) of the page query (first page, no cursor), ${run}:\n${rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
  }
}

/** The paced row's p99 as the server timed it (its duration histogram), beside the load generator's. */
function logServerP99(before: Map<number, number>, after: Map<number, number>, clientP99: number, loop: { p99: number; max: number }): void {
  const bound = p99BoundMs(before, after);
  log(
    `check at 70%: p99 ${clientP99.toFixed(2)} ms at the load generator (due → answer); the server's duration histogram puts 99% of ` +
      `those requests under ${bound === undefined ? '?' : `${bound} ms`} of handling; its event loop's delay meanwhile: p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms`,
  );
}

/** A pool on the running embedded Leakwatch's own PostgreSQL (its data directory says where and how). */
function embeddedPool(resources: Resources): Pool {
  const dir = path.join(resources.dataDir as string, 'postgres');
  const port = Number(readFileSync(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
  const pool = new Pool({ host: '127.0.0.1', port, user: 'postgres', password, database: 'leakwatch', max: 2 });
  pool.on('error', () => undefined);
  return pool;
}

const program = new Command('bench:token-check')
  .description('Token check, auth_request, range and an authenticated list vs a bare Fastify endpoint, same run and load settings; the issue 17 targets')
  .option('--tokens <n>', 'leaked tokens to seed through the API', positiveInt, 2000)
  .option('--seconds <n>', 'duration of each measurement', positiveInt, 5)
  .option('--connections <n>', 'keep-alive connections of the load generator', positiveInt, 32)
  .option('--list-sizes <list>', 'leaks stored for the list measurements', '20000,200000')
  .option('--only <rows>', `measure only these rows, comma-separated (${ROWS.join(', ')}); prints no targets (e.g. to profile the server on one endpoint with BENCH_NODE_ARGS)`)
  .option('--explain', "after each list row, print EXPLAIN ANALYZE of the list's page query as the server builds it")
  .option('--target <list>', `servers to measure, comma-separated (${TARGETS.join(', ')}): the embedded process (npm start) and/or distributed mode's gateway service as its own process (the other five services, a throwaway PostgreSQL and the Kafka test broker beside it); one table each`, 'embedded,gateway')
  .option('--timeout <minutes>', 'hard limit for the whole run', positiveInt, 20)
  .action((options: Options) => main(options).catch((error: Error) => {
    log(`failed: ${error.message}`);
    process.exitCode = 1;
  }));

void program.parseAsync(process.argv);

/**
 * `count` leaked tokens through the API (500 per request), a tenth of them virtually patched (so the blocklist
 * client and the range have blocked entries too); resolves once the gateway index shows the last leak and
 * the last patch.
 */
async function seedTokens(api: Api, count: number): Promise<{ tokens: string[]; leakids: string[]; patched: string[] }> {
  const tokens = Array.from({ length: count }, () => `ghp_${randomBytes(18).toString('hex')}`);
  const leakids: string[] = [];
  for (let i = 0; i < tokens.length; i += 500) {
    const { body } = await api.expect<{ leakids: string[] }>(201, 'POST', '/api/v1/leaks', { source: { name: 'bench' }, tokens: tokens.slice(i, i + 500).map((value) => ({ value })) });
    leakids.push(...body.leakids);
  }
  const lastLeaked = () => api.call<{ leaked: boolean }>('POST', '/api/v1/tokens/check', { token: tokens[tokens.length - 1] }).then((r) => r.body.leaked);
  if (!(await waitUntilAsync(lastLeaked, 300_000))) throw new Error('the tokens did not reach the gateway index in time');
  const patched = leakids.slice(0, Math.max(1, Math.floor(leakids.length / 10)));
  for (let i = 0; i < patched.length; i += 1000) await api.expect(200, 'POST', '/api/v1/leaks/virtual-patch', { leakids: patched.slice(i, i + 1000), enabled: true });
  const lastPatched = tokens[leakids.indexOf(patched[patched.length - 1])];
  const blockedNow = () => api.call<{ blocked: boolean }>('POST', '/api/v1/tokens/check', { token: lastPatched }).then((r) => r.body.blocked);
  if (!(await waitUntilAsync(blockedNow, 300_000))) throw new Error('the virtual patches did not reach the gateway index in time');
  return { tokens, leakids, patched };
}
