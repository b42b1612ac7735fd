/**
 * Leak lifecycle benchmark (not a test): runs `npm start`'s embedded Leakwatch as a child process on a
 * throwaway data directory, seeds N leaks over HTTP, then measures single status changes (sequential and
 * concurrent), one bulk status change, and the projection rebuild rate of `leakwatch projections rebuild`.
 *
 * The app and the CLI run as child processes, exactly as an operator runs them: lint forbids a tool from
 * importing an app (or another tool) by path, and a separate process keeps the benchmark's own work out of
 * the server's event loop. Every loop is bounded and a hard timeout ends the run; the data directory and
 * every process started here are removed on the way out, also on Ctrl-C.
 *
 *   npm run bench:lifecycle -- --leaks 2000
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { freePort } from '@leakwatch/postgres-server';

const root = path.resolve(__dirname, '../..');
const SEED_BATCH = 500;

interface Options {
  leaks: number;
  requests: number;
  clients: number;
  bulk: number;
  timeout: number;
}

interface Row {
  measure: string;
  count: string;
  time: string;
  rate: string;
  p50?: string;
  p99?: string;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${ms.toFixed(1)} ms`;
const perSecond = (n: number, ms: number, unit: string) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} ${unit}/s`;
const fakeToken = () => `ghp_${randomBytes(18).toString('hex')}`; // shaped like a GitHub PAT: ghp_ + 36 hex chars

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Everything this run started, so any exit path can end it. */
class Resources {
  dataDir?: string;
  readonly children = new Set<ChildProcess>();

  spawn(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(process.execPath, ['-r', './tools/register.js', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async cleanUp(): Promise<void> {
    await Promise.all([...this.children].map((child) => stopChild(child, 20_000)));
    if (!this.dataDir) return;
    // A child killed hard leaves its embedded PostgreSQL behind: stop that postmaster (ours: it lives in our data dir).
    const pidFile = path.join(this.dataDir, 'postgres', 'pgdata', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0 && signal(pid, 'SIGINT')) await waitUntil(() => !signal(pid, 0), 15_000);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** SIGTERM (the app then stops its database cleanly), SIGKILL if it has not exited in time. */
async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Child environment: always the embedded mode, whatever the caller's shell has set. */
function embeddedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['DATABASE_URL', 'EVENTSTORE_URL', 'KAFKA_BROKERS', 'LEAKWATCH_SERVICE']) delete env[name];
  return env;
}

class Api {
  constructor(private readonly url: string, private key: string) {}

  as(key: string): Api {
    return new Api(this.url, key);
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: { 'x-api-key': this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, ms };
  }

  async expect<T>(status: number, method: string, route: string, body?: unknown): Promise<{ body: T; ms: number }> {
    const result = await this.call<T>(method, route, body);
    if (result.status !== status) throw new Error(`${method} ${route} answered ${result.status} (expected ${status}): ${JSON.stringify(result.body)}`);
    return result;
  }
}

async function startLeakwatch(resources: Resources, adminKey: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-'));
  chmodSync(dataDir, 0o755); // mkdtemp's 0700 would lock out the embedded server's user when running as root
  resources.dataDir = dataDir;
  const port = await freePort();
  const child = resources.spawn(
    ['apps/leakwatch/src/main.ts'],
    embeddedEnv({ PORT: String(port), HOST: '127.0.0.1', LEAKWATCH_DATA_DIR: dataDir, LEAKWATCH_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' }),
  );
  let output = '';
  child.stdout?.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.stderr?.on('data', (c) => (output = (output + c).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const healthy = await waitUntilAsync(async () => {
    if (child.exitCode !== null) throw new Error(`leakwatch exited with ${child.exitCode}:\n${output}`);
    return fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
  }, 120_000);
  if (!healthy) throw new Error(`leakwatch not healthy within 120 s:\n${output}`);
  return { url, child, output: () => output };
}

async function waitUntilAsync(done: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return true;
}

type StatusAnswer = { updated: number; unchanged: number };

/** Toggles single leaks open ⇄ fixed; each client owns a disjoint set of leaks, so every request changes one. */
async function statusChanges(api: Api, status: Map<string, string>, requests: number, clients: number): Promise<{ events: number; ms: number; latencies: number[] }> {
  const leakids = [...status.keys()];
  const owned = Array.from({ length: clients }, (_, k) => leakids.filter((_, i) => i % clients === k));
  const latencies: number[] = [];
  let events = 0;
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    owned.map(async (mine) => {
      for (let j = 0; issued < requests; j++) {
        issued++;
        const leakid = mine[j % mine.length];
        const to = status.get(leakid) === 'open' ? 'fixed' : 'open';
        const { body, ms } = await api.expect<StatusAnswer>(200, 'POST', '/api/v1/leaks/status', { leakid, status: to });
        if (body.updated !== 1) throw new Error(`status change of ${leakid} to ${to} changed nothing: ${JSON.stringify(body)}`);
        status.set(leakid, to);
        latencies.push(ms);
        events += body.updated;
      }
    }),
  );
  return { events, ms: performance.now() - started, latencies: latencies.sort((a, b) => a - b) };
}

async function runCli(resources: Resources, args: string[], env: Record<string, string>): Promise<string> {
  const child = resources.spawn(['tools/cli/src/main.ts', ...args], embeddedEnv(env));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`leakwatch ${args.join(' ')} exited with ${code}:\n${stderr}`);
  return stdout;
}

async function benchmark(options: Options, resources: Resources): Promise<Row[]> {
  const rows: Row[] = [];
  const bootstrapKey = `lw_bench_${randomBytes(16).toString('hex')}`;
  log('starting Leakwatch (embedded mode, fresh data directory)…');
  const bootStarted = performance.now();
  const app = await startLeakwatch(resources, bootstrapKey);
  rows.push({ measure: 'start embedded Leakwatch (until /health is 200)', count: '1', time: seconds(performance.now() - bootStarted), rate: '' });

  const bootstrap = new Api(app.url, bootstrapKey);
  const org = (await bootstrap.expect<{ org_id: string }>(201, 'POST', '/api/v1/orgs', { name: 'Bench' })).body.org_id;
  const key = (
    await bootstrap.expect<{ key: string }>(201, 'POST', '/api/v1/api-keys', { name: 'bench', role: 'admin', org_id: org, user_email: 'bench@bench.example', limit: 100_000_000 })
  ).body.key;
  const api = bootstrap.as(key);

  log(`seeding ${options.leaks} leaks in requests of ${SEED_BATCH}…`);
  const leakids: string[] = [];
  const seedStarted = performance.now();
  for (let offset = 0; offset < options.leaks; offset += SEED_BATCH) {
    const tokens = Array.from({ length: Math.min(SEED_BATCH, options.leaks - offset) }, () => ({ value: fakeToken() }));
    const { body } = await api.expect<{ leakids: string[]; created: number }>(201, 'POST', '/api/v1/leaks', { source: { name: 'bench', url: 'https://paste.example/bench' }, tokens });
    if (body.created !== tokens.length) throw new Error(`expected ${tokens.length} new leaks, got ${body.created}`);
    leakids.push(...body.leakids);
  }
  const seedMs = performance.now() - seedStarted;
  rows.push({ measure: `seed: POST /api/v1/leaks (${SEED_BATCH} tokens per request)`, count: `${options.leaks} leaks`, time: seconds(seedMs), rate: perSecond(options.leaks, seedMs, 'leaks') });
  let total = 0;
  const visible = await waitUntilAsync(async () => {
    total = (await api.expect<{ total: number }>(200, 'GET', '/api/v1/leaks?limit=1')).body.total;
    return total >= options.leaks;
  }, 300_000, 100);
  if (!visible) throw new Error(`only ${total} of ${options.leaks} leaks visible after 5 minutes`);
  const listedMs = performance.now() - seedStarted;
  rows.push({ measure: 'seed: until GET /api/v1/leaks shows them all', count: `${options.leaks} leaks`, time: seconds(listedMs), rate: perSecond(options.leaks, listedMs, 'leaks') });

  log(`${options.requests} single status changes, 1 client…`);
  const status = new Map(leakids.map((id) => [id, 'open'])); // what we know each leak's status to be
  const sequential = await statusChanges(api, status, options.requests, 1);
  rows.push({
    measure: 'status change, single leak, 1 client',
    count: `${sequential.events} events`,
    time: seconds(sequential.ms),
    rate: perSecond(sequential.events, sequential.ms, 'events'),
    p50: millis(percentile(sequential.latencies, 50)),
    p99: millis(percentile(sequential.latencies, 99)),
  });
  log(`${options.requests} single status changes, ${options.clients} concurrent clients…`);
  const concurrent = await statusChanges(api, status, options.requests, options.clients);
  rows.push({
    measure: `status change, single leak, ${options.clients} clients`,
    count: `${concurrent.events} events`,
    time: seconds(concurrent.ms),
    rate: perSecond(concurrent.events, concurrent.ms, 'events'),
    p50: millis(percentile(concurrent.latencies, 50)),
    p99: millis(percentile(concurrent.latencies, 99)),
  });

  // Nothing is false_positive yet, so every leak of the bulk request changes (one event each).
  const bulkIds = leakids.slice(0, Math.min(options.bulk, leakids.length));
  log(`one bulk status change of ${bulkIds.length} leaks…`);
  const bulk = await api.expect<StatusAnswer>(200, 'POST', '/api/v1/leaks/status', { leakids: bulkIds, status: 'false_positive', comment: 'bench' });
  if (bulk.body.updated !== bulkIds.length) throw new Error(`bulk changed ${bulk.body.updated} of ${bulkIds.length} leaks`);
  rows.push({ measure: `bulk status change, ${bulkIds.length} leaks in 1 request (request → response)`, count: `${bulk.body.updated} events`, time: seconds(bulk.ms), rate: perSecond(bulk.body.updated, bulk.ms, 'events') });

  log('stopping Leakwatch, then rebuilding every projection with the CLI…');
  await stopChild(app.child, 30_000);
  if (app.child.exitCode !== 0) log(`warning: leakwatch exited with ${app.child.exitCode ?? app.child.signalCode}`);
  const dataDir = resources.dataDir as string;
  const rebuild = JSON.parse(await runCli(resources, ['projections', 'rebuild', '--all', '--json'], { LEAKWATCH_DATA_DIR: dataDir })) as {
    runners: Array<{ runner: string; events: number; applied: number; duration_ms: number; events_per_second: number }>;
  };
  for (const r of rebuild.runners) {
    rows.push({ measure: `projection rebuild: ${r.runner} (${r.applied} applied)`, count: `${r.events} events`, time: seconds(r.duration_ms), rate: perSecond(r.events, r.duration_ms, 'events') });
  }
  return rows;
}

function printTable(title: string, rows: Row[]): void {
  const columns: Array<[keyof Row, string, 'left' | 'right']> = [
    ['measure', 'measure', 'left'],
    ['count', 'count', 'right'],
    ['time', 'time', 'right'],
    ['rate', 'rate', 'right'],
    ['p50', 'p50', 'right'],
    ['p99', 'p99', 'right'],
  ];
  const widths = columns.map(([key, header]) => Math.max(header.length, ...rows.map((r) => (r[key] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (columns[i][2] === 'left' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}\n`);
  console.log(line(columns.map(([, header]) => header)));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map(([key]) => row[key] ?? '')));
  console.log();
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const program = new Command('bench:lifecycle')
    .description('Benchmark the leak lifecycle of an embedded Leakwatch started for the run (child process, temporary data directory)')
    .addOption(new Option('--leaks <n>', 'leaks to seed through POST /api/v1/leaks').default(2000).argParser(positiveInt))
    .addOption(new Option('--requests <n>', 'single status-change requests per run (sequential, then concurrent)').default(500).argParser(positiveInt))
    .addOption(new Option('--clients <n>', 'concurrent clients for the concurrent run').default(8).argParser(positiveInt))
    .addOption(new Option('--bulk <n>', 'leaks in the bulk status request (at most 1000 and --leaks)').default(1000).argParser(positiveInt))
    .addOption(new Option('--timeout <minutes>', 'hard limit for the whole run').default(10).argParser(positiveInt))
    .parse(process.argv);
  const options = program.opts<Options>();
  if (options.bulk > 1000) throw new Error('--bulk is at most 1000 (the API limit)');

  const resources = new Resources();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: cleaning up…`);
    void resources.cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`benchmark exceeded --timeout ${options.timeout} min`)), options.timeout * 60_000);
  });
  try {
    const rows = await Promise.race([benchmark(options, resources), timeout]);
    printTable(
      `Leakwatch lifecycle benchmark — ${options.leaks} leaks, embedded mode; Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()})`,
      rows,
    );
  } finally {
    clearTimeout(timer);
    // Last resort if cleaning up itself hangs: the run must always end.
    setTimeout(() => process.exit(2), 60_000).unref();
    await resources.cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
