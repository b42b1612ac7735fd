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
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { Api, benchAdminKey, orgAdmin } from './support/api';
import { Column, machine, millis, perSecond, percentile, positiveInt, printTable, seconds } from './support/format';
import { TargetRow, printTargets, target } from './support/targets';
import { Resources, log, runCli, startLeakwatch, stopChild, waitUntilAsync } from './support/process';
import { runBenchmark } from './support/run';
import { treeCpuMs } from './support/cpu';

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

const COLUMNS: Array<Column<Row>> = [
  ['measure', 'measure', 'left'],
  ['count', 'count', 'right'],
  ['time', 'time', 'right'],
  ['rate', 'rate', 'right'],
  ['p50', 'p50', 'right'],
  ['p99', 'p99', 'right'],
];

const fakeToken = () => `ghp_${randomBytes(18).toString('hex')}`; // shaped like a GitHub PAT: ghp_ + 36 hex chars

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

async function benchmark(options: Options, resources: Resources): Promise<{ rows: Row[]; targets: TargetRow[] }> {
  const targets: TargetRow[] = [];
  const rows: Row[] = [];
  const bootstrapKey = benchAdminKey();
  log('starting Leakwatch (embedded mode, fresh data directory)…');
  const bootStarted = performance.now();
  const app = await startLeakwatch(resources, bootstrapKey);
  rows.push({ measure: 'start embedded Leakwatch (until /health is 200)', count: '1', time: seconds(performance.now() - bootStarted), rate: '' });

  const bootstrap = new Api(app.url, bootstrapKey);
  const { api } = await orgAdmin(bootstrap);

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
  // Server CPU (Leakwatch + its PostgreSQL) per change, until the consumers are quiet again: load-independent.
  const cpuPerChange = async (run: () => Promise<{ events: number }>) => {
    const before = treeCpuMs(app.child.pid);
    const { events } = await run();
    let last = treeCpuMs(app.child.pid);
    for (let i = 0; i < 50 && last !== undefined; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const now = treeCpuMs(app.child.pid) as number;
      const idle = now - last < 20; // under 10 % of a core for 200 ms: the consumers caught up
      last = now;
      if (idle) break;
    }
    return before === undefined || last === undefined ? '' : `${((last - before) / events).toFixed(2)} ms`;
  };
  let sequential!: Awaited<ReturnType<typeof statusChanges>>;
  const sequentialCpu = await cpuPerChange(async () => (sequential = await statusChanges(api, status, options.requests, 1)));
  rows.push({
    measure: 'status change, single leak, 1 client',
    count: `${sequential.events} events`,
    time: seconds(sequential.ms),
    rate: perSecond(sequential.events, sequential.ms, 'events'),
    p50: millis(percentile(sequential.latencies, 50)),
    p99: millis(percentile(sequential.latencies, 99)),
  });
  log(`${options.requests} single status changes, ${options.clients} concurrent clients…`);
  let concurrent!: Awaited<ReturnType<typeof statusChanges>>;
  const concurrentCpu = await cpuPerChange(async () => (concurrent = await statusChanges(api, status, options.requests, options.clients)));
  rows.push({
    measure: `status change, single leak, ${options.clients} clients`,
    count: `${concurrent.events} events`,
    time: seconds(concurrent.ms),
    rate: perSecond(concurrent.events, concurrent.ms, 'events'),
    p50: millis(percentile(concurrent.latencies, 50)),
    p99: millis(percentile(concurrent.latencies, 99)),
  });

  rows.push(
    { measure: 'server CPU per status change (Leakwatch + its PostgreSQL, until quiet), 1 client', count: '', time: '', rate: sequentialCpu },
    { measure: `server CPU per status change (Leakwatch + its PostgreSQL, until quiet), ${options.clients} clients`, count: '', time: '', rate: concurrentCpu },
  );
  // Nothing is false_positive yet, so every leak of the bulk request changes (one event each).
  const bulkIds = leakids.slice(0, Math.min(options.bulk, leakids.length));
  log(`one bulk status change of ${bulkIds.length} leaks…`);
  const bulk = await api.expect<StatusAnswer>(200, 'POST', '/api/v1/leaks/status', { leakids: bulkIds, status: 'false_positive', comment: 'bench' });
  if (bulk.body.updated !== bulkIds.length) throw new Error(`bulk changed ${bulk.body.updated} of ${bulkIds.length} leaks`);
  rows.push({ measure: `bulk status change, ${bulkIds.length} leaks in 1 request (request → response)`, count: `${bulk.body.updated} events`, time: seconds(bulk.ms), rate: perSecond(bulk.body.updated, bulk.ms, 'events') });
  const concurrentRate = (concurrent.events / concurrent.ms) * 1000;
  const concurrentP99 = percentile(concurrent.latencies, 99);
  targets.push(
    target(`bulk status change of ${bulkIds.length} leaks (request → response)`, millis(bulk.ms), bulkIds.length >= 1000 ? '≤ 250 ms (1,000 leaks)' : '≤ 250 ms at 1,000 leaks', bulkIds.length >= 1000 ? bulk.ms <= 250 : undefined),
    target(`single status changes, ${options.clients} clients`, perSecond(concurrent.events, concurrent.ms, 'events'), '≥ 1,500 events/s', concurrentRate >= 1500),
    target(`single status changes, ${options.clients} clients, p99`, millis(concurrentP99), '≤ 25 ms', concurrentP99 <= 25),
  );

  log('stopping Leakwatch, then rebuilding every projection with the CLI…');
  await stopChild(app.child, 30_000);
  if (app.child.exitCode !== 0) log(`warning: leakwatch exited with ${app.child.exitCode ?? app.child.signalCode}`);
  const dataDir = resources.dataDir as string;
  // A failed rebuild still leaves the figures above printed.
  const output = await runCli(resources, ['projections', 'rebuild', '--all', '--json', '--copy-yardstick'], { LEAKWATCH_DATA_DIR: dataDir }).catch((error: Error) => {
    log(`projections rebuild failed: ${error.message.split('\n').slice(0, 6).join(' | ')}`);
    return undefined;
  });
  if (output === undefined) {
    rows.push({ measure: 'projections rebuild --all: FAILED (see the log above)', count: '', time: '', rate: '' });
    return { rows, targets };
  }
  const rebuild = JSON.parse(output) as {
    runners: Array<{ runner: string; events: number; applied: number; duration_ms: number; shared_with?: string[] }>;
    total: { events: number; duration_ms: number; events_per_second: number; copy?: { events: number; duration_ms: number; ratio: number } };
  };
  // Runners that read the same events share one pass over the store (their time is the pass's).
  for (const r of rebuild.runners) {
    const shared = r.shared_with?.length ? `, one pass with ${r.shared_with.length} more` : '';
    rows.push({ measure: `projection rebuild: ${r.runner} (${r.applied} applied${shared})`, count: `${r.events} events`, time: seconds(r.duration_ms), rate: perSecond(r.events, r.duration_ms, 'events') });
  }
  // A runner reads only its projections' events (filtered): the rate counts those events, over all runners, per second of wall time.
  const { events: replayed, duration_ms: rebuildMs } = rebuild.total;
  rows.push({ measure: 'projections rebuild --all (every runner)', count: `${replayed} events`, time: seconds(rebuildMs), rate: perSecond(replayed, rebuildMs, 'events') });
  // The yardstick: the same reads, every runner's events written by a raw COPY (tools/cli copy-yardstick.ts).
  const copyMs = rebuild.total.copy?.duration_ms ?? NaN;
  rows.push({ measure: 'raw COPY of the same events (read as the rebuild reads them)', count: `${rebuild.total.copy?.events ?? 0} events`, time: seconds(copyMs), rate: perSecond(rebuild.total.copy?.events ?? 0, copyMs, 'events') });
  const ratio = rebuild.total.copy?.ratio ?? NaN;
  targets.push(
    target('projections rebuild --all (events replayed / wall time)', perSecond(replayed, rebuildMs, 'events'), '≥ 30,000 events/s', (replayed / rebuildMs) * 1000 >= 30_000),
    target('projections rebuild --all ÷ raw COPY of the same events', ratio.toFixed(2), '≥ 0.3', ratio >= 0.3),
  );
  return { rows, targets };
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

  await runBenchmark(options.timeout, async (resources) => {
    const { rows, targets } = await benchmark(options, resources);
    printTable(`Leakwatch lifecycle benchmark — ${options.leaks} leaks, embedded mode; ${machine()}`, COLUMNS, rows);
    printTargets(targets);
  });
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
