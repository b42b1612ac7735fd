/**
 * "The organisation as of any moment" benchmark (issue 14.1, not a test): `GET /api/v1/leaks?as_of=` and
 * `GET /api/v1/stats/leaks?as_of=` for an organisation with `--leaks` leaks and `--events` leak events, next to
 * the same calls without `as_of` (the yardstick, same run). Target: ≤ 1 s on 2 vCPUs.
 *
 * Seeding over HTTP is far too slow at that size, so the run starts the embedded Leakwatch (`npm start`'s
 * entry point, a child process), creates the organisation and its admin key over HTTP, then writes the leaks'
 * histories straight into its event store with the store's multi-stream append (`appendToStreams`: one
 * `es_append` per chunk of streams) — valid histories of the Leak aggregate spread over the last 180 days:
 * detections from 8 sources and 4 risks, sightings, fixes, false positives, reopens, virtual patches on and
 * off, token-use attempts — and waits while the running projections and consumers catch up (`ll_leaks`,
 * `ll_leak_versions`, `st_leaks`, `st_leak_versions`, …), as an upgraded installation would on start.
 *
 *   node -r ./tools/register.js tools/bench/as-of.bench.ts [--leaks 100000] [--events 1000000] [--runs 5]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { Pool } from 'pg';
import { NewEvent, PostgresEventStore, StreamAppend } from '@leakwatch/event-store';
import { Api, benchAdminKey, orgAdmin } from './support/api';
import { Column, machine, millis, percentile, perSecond, positiveInt, printTable, seconds } from './support/format';
import { Resources, log, startLeakwatch, waitUntilAsync } from './support/process';
import { runBenchmark } from './support/run';
import { seededRandom } from '@leakwatch/testing';

const SOURCES = ['github', 'gitlab', 'pastebin', 'gist', 'slack', 'stealer-log', 'jira', 'confluence'];
const RISKS = ['critical', 'high', 'medium', 'low'];
const DAY = 86_400_000;
const HISTORY_DAYS = 180;
const CHUNK_EVENTS = 20_000;
const TARGET_MS = 1000;

interface Options {
  leaks: number;
  events: number;
  runs: number;
  todayWait: number;
  timeout: number;
}

interface Row {
  call: string;
  as_of: string;
  p50: string;
  p95: string;
  max: string;
  verdict: string;
}

const COLUMNS: Array<Column<Row>> = [
  ['call', 'call', 'left'],
  ['as_of', 'as_of', 'left'],
  ['p50', 'p50', 'right'],
  ['p95', 'p95', 'right'],
  ['max', 'max', 'right'],
  ['verdict', 'target ≤ 1 s', 'left'],
];


interface Generated {
  appends: StreamAppend[];
  events: number;
  /** Rows the temporal read models must reach: one per leak event, and one per change the statistics count. */
  versions: number;
  statsVersions: number;
}

/**
 * One chunk of leak histories, valid for the Leak aggregate (patch only while open, a fix removes the patch,
 * a sighting of a fixed leak reopens it). Event times increase within a stream and stay in the past.
 */
function generate(org: string, from: number, count: number, total: number, eventsPerLeak: number, start: number, span: number, rand: () => number): Generated {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const appends: StreamAppend[] = [];
  let events = 0;
  let statsVersions = 0;
  for (let i = from; i < from + count; i++) {
    const leakid = (i.toString(16).padStart(8, '0') + randomUUID().replace(/-/g, '')).slice(0, 32);
    // Detections over the first half of the span, each history over at most 40 % of it: all in the past.
    let at = start + ((span * i) / total) * 0.5 + rand() * span * 0.1;
    const step = (span * 0.2) / eventsPerLeak;
    const time = () => new Date((at += rand() * step + 1000)).toISOString();
    const meta = (t: string) => ({ occurred_at: t, actor: { key_id: 'bench', org_id: org, role: 'admin', user_email: 'bench@bench.example' } });
    const event = (type: string, data: Record<string, unknown>, t = time()): NewEvent => ({ id: randomUUID(), type, data: { leakid, ...data }, metadata: meta(t) });
    const source = pick(SOURCES);
    const detected = time();
    const history: NewEvent[] = [
      event('LeakDetected', {
        kind: 'token', secret_type: 'github-pat', fingerprint: randomUUID().replace(/-/g, '').repeat(2), preview: 'ghp_…(40)', identity: null, site: null,
        org_id: org, source: { name: source, url: null }, risk: pick(RISKS), blockable: true, location: null, detected_at: detected, finding_id: randomUUID(),
      }, detected),
    ];
    statsVersions++;
    let status = 'open';
    let patched = false;
    const sources = new Set([source]);
    // The number of events per leak varies around the mean (1 .. 2×mean−1).
    const n = Math.max(1, Math.round(eventsPerLeak * (0.5 + rand())));
    while (history.length < n) {
      const r = rand();
      if (r < 0.35) {
        const name = pick(SOURCES);
        const t = time();
        history.push(event('LeakSighted', { source: { name, url: null }, seen_at: t, finding_id: randomUUID() }, t));
        if (!sources.has(name)) {
          sources.add(name);
          statsVersions++;
        }
        if (status === 'fixed') {
          history.push(event('LeakStatusChanged', { from: 'fixed', to: 'open', comment: null, reason: 'regression' }));
          status = 'open';
          statsVersions++;
        }
      } else if (r < 0.6) {
        const to = status === 'open' ? pick(['fixed', 'fixed', 'false_positive']) : 'open';
        const t = time();
        if (patched && to !== 'open') {
          history.push(event('LeakStatusChanged', { from: status, to, comment: 'bench', reason: 'decision' }, t));
          history.push(event('VirtualPatchRemoved', { reason: 'status_changed' }, t));
          patched = false;
          statsVersions += 2;
        } else {
          history.push(event('LeakStatusChanged', { from: status, to, comment: 'bench', reason: 'decision' }, t));
          statsVersions++;
        }
        status = to;
      } else if (r < 0.75) {
        if (status !== 'open') continue;
        history.push(event(patched ? 'VirtualPatchRemoved' : 'VirtualPatchApplied', patched ? { reason: 'disabled' } : {}));
        patched = !patched;
        statsVersions++;
      } else {
        const t = time();
        history.push(event('LeakedTokenUseAttempted', { attempted_at: t, key_id: null, blocked: patched }, t));
      }
    }
    appends.push({ streamId: `leak-${leakid}`, events: history, expectedRevision: 'no_stream' });
    events += history.length;
  }
  return { appends, events, versions: events, statsVersions };
}

/** A pool on the running embedded Leakwatch's own PostgreSQL (its data directory says where and how). */
function embeddedPool(resources: Resources): Pool {
  const dir = path.join(resources.dataDir as string, 'postgres');
  const port = Number(readFileSync(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
  const pool = new Pool({ host: '127.0.0.1', port, user: 'postgres', password, database: 'leakwatch', max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

function latencyRow(call: string, asOf: string, times: number[]): Row {
  const sorted = [...times].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1];
  return { call, as_of: asOf, p50: millis(percentile(sorted, 50)), p95: millis(percentile(sorted, 95)), max: millis(max), verdict: max <= TARGET_MS ? 'ok' : `OVER (${sorted.filter((t) => t > TARGET_MS).length}/${sorted.length})` };
}

async function main(options: Options): Promise<void> {
  await runBenchmark(options.timeout, async (resources) => {
    const adminKey = benchAdminKey();
    const app = await startLeakwatch(resources, adminKey);
    const { orgId, api } = await orgAdmin(new Api(app.url, adminKey));
    const pool = embeddedPool(resources);
    resources.onCleanUp(() => pool.end());
    const store = await PostgresEventStore.create(pool);

    const eventsPerLeak = Math.max(1, Math.round(options.events / options.leaks));
    const now = Date.now();
    const start = now - HISTORY_DAYS * DAY;
    const span = HISTORY_DAYS * DAY - DAY; // everything ends a day before now at the latest
    const rand = seededRandom(14_1);
    const chunkLeaks = Math.max(1, Math.floor(CHUNK_EVENTS / eventsPerLeak));
    let events = 0;
    let versions = 0;
    let statsVersions = 0;
    log(`appending ${options.leaks} leak histories (~${eventsPerLeak} events each) to the event store…`);
    const seedStarted = performance.now();
    for (let from = 0; from < options.leaks; from += chunkLeaks) {
      const chunk = generate(orgId, from, Math.min(chunkLeaks, options.leaks - from), options.leaks, eventsPerLeak, start, span, rand);
      await store.appendToStreams(chunk.appends);
      events += chunk.events;
      versions += chunk.versions;
      statsVersions += chunk.statsVersions;
      if (Math.floor(from / chunkLeaks) % 10 === 9) log(`  ${from + chunk.appends.length} leaks, ${events} events appended`);
    }
    const appendMs = performance.now() - seedStarted;
    log(`appended ${events} events in ${seconds(appendMs)}; waiting for the read models to catch up…`);
    const count = async (table: string) => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    let last = '';
    let statsRows = 0;
    const progress = async () => {
      const [leaks, leakVersions, stats, statVersions] = await Promise.all([count('ll_leaks'), count('ll_leak_versions'), count('st_leaks'), count('st_leak_versions')]);
      const line = `  ll_leaks ${leaks}/${options.leaks}, ll_leak_versions ${leakVersions}/${versions}, st_leaks ${stats}/${options.leaks}, st_leak_versions ${statVersions}/${statsVersions}`;
      if (line !== last) log((last = line));
      statsRows = stats;
      return { asOf: leakVersions === versions && statVersions === statsVersions, today: leaks === options.leaks && stats === options.leaks };
    };
    // The temporal read models (what as_of reads) must be complete; today's tables are the yardstick.
    if (!(await waitUntilAsync(async () => (await progress()).asOf, options.timeout * 60_000, 5000))) throw new Error('the temporal read models never caught up');
    const versionsMs = performance.now() - seedStarted;
    log(`temporal read models complete after ${seconds(versionsMs)}; waiting (at most ${options.todayWait} min) for ll_leaks and st_leaks…`);
    const todayComplete = await waitUntilAsync(async () => (await progress()).today, options.todayWait * 60_000, 5000);
    const seedMs = performance.now() - seedStarted;
    log(`seeded and projected in ${seconds(seedMs)}`);
    await pool.query('VACUUM ANALYZE ll_leaks, ll_leak_versions, st_leaks, st_leak_versions, st_leak_activity');

    const instants = [0.1, 0.3, 0.5, 0.7, 0.9].map((f) => new Date(start + span * f).toISOString());
    const calls: Array<[string, string]> = [
      ['GET /api/v1/leaks?limit=20', '/api/v1/leaks?limit=20'],
      ['GET /api/v1/leaks?limit=20&status=open', '/api/v1/leaks?limit=20&status=open'],
      ['GET /api/v1/leaks?limit=20&risk=critical&source=github&virtual_patch=true', '/api/v1/leaks?limit=20&risk=critical&source=github&virtual_patch=true'],
      ['GET /api/v1/leaks?limit=20&sort=last_seen', '/api/v1/leaks?limit=20&sort=last_seen'],
      ['GET /api/v1/stats/leaks', '/api/v1/stats/leaks'],
    ];
    // Warm-up (first plans, caches), then the measured calls.
    for (const [, route] of calls) await api.expect(200, 'GET', `${route}${route.includes('?') ? '&' : '?'}as_of=${encodeURIComponent(instants[2])}`);
    for (const [, route] of calls) await api.expect(200, 'GET', route);
    const rows: Row[] = [];
    const totals: string[] = [];
    for (const [label, route] of calls) {
      const now: number[] = [];
      const past: number[] = [];
      for (let run = 0; run < options.runs; run++) {
        for (const t of instants) {
          now.push((await api.expect(200, 'GET', route)).ms);
          const answer = await api.expect<{ total: number }>(200, 'GET', `${route}${route.includes('?') ? '&' : '?'}as_of=${encodeURIComponent(t)}`);
          past.push(answer.ms);
          if (run === 0 && label === calls[0][0]) totals.push(`${t.slice(0, 10)}: ${answer.body.total}`);
        }
      }
      rows.push(latencyRow(label, '—', now));
      rows.push(latencyRow(label, `5 instants × ${options.runs}`, past));
    }
    const size = await pool.query<{ table: string; size: string }>(
      `SELECT t AS table, pg_size_pretty(pg_total_relation_size(t)) AS size FROM unnest(ARRAY['ll_leaks', 'll_leak_versions', 'st_leaks', 'st_leak_versions']) t`,
    );

    console.log(`\nLeakwatch as_of benchmark — one organisation, ${options.leaks} leaks, ${events} leak events, embedded mode (${machine()})\n`);
    console.log(`seed: ${events} events appended in ${seconds(appendMs)} (${perSecond(events, appendMs, 'events')}); ll_leak_versions and st_leak_versions complete after ${seconds(versionsMs)}; ${todayComplete ? `ll_leaks and st_leaks complete after ${seconds(seedMs)}` : `st_leaks still at ${statsRows}/${options.leaks} rows after ${seconds(seedMs)} (the stats yardstick counts those)`}`);
    console.log(`versions: ll_leak_versions ${versions} rows, st_leak_versions ${statsVersions} rows; sizes ${size.rows.map((r) => `${r.table} ${r.size}`).join(', ')}`);
    console.log(`leaks listed as of each instant: ${totals.join(', ')}\n`);
    printTable('', COLUMNS, rows);
  });
}

const program = new Command()
  .name('as-of.bench')
  .description('GET /api/v1/leaks?as_of= and /api/v1/stats/leaks?as_of= at 100,000 leaks and 1,000,000 events, next to the same calls without as_of')
  .addOption(new Option('--leaks <n>', 'leaks of the organisation').argParser(positiveInt).default(100_000))
  .addOption(new Option('--events <n>', 'leak events in all (their histories)').argParser(positiveInt).default(1_000_000))
  .addOption(new Option('--runs <n>', 'rounds over the 5 instants per call').argParser(positiveInt).default(5))
  .addOption(new Option('--today-wait <minutes>', 'how long to wait for ll_leaks and st_leaks (the yardstick) once the temporal read models are complete').argParser(positiveInt).default(20))
  .addOption(new Option('--timeout <minutes>', 'hard limit of the whole run').argParser(positiveInt).default(60))
  .action((options: Options) => main(options));

program.parseAsync().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
