/**
 * Event store append benchmark (issue 16): single-event appends from 8 concurrent writers through
 * Leakwatch's PostgreSQL store (`es_append_one`: one statement per append), compared with a raw prepared INSERT
 * of the same row into a table shaped like `es_events` (same columns and indexes), through the same pool, and
 * with Emmett's PostgreSQL store (`@event-driven-io/emmett-postgresql`, its own pool of the same size, its own
 * database) on the same PostgreSQL — new streams (expected `no_stream`) and hot streams (each writer appends to
 * its own stream with the exact expected revision). Emmett lives in its own package (tools/bench/emmett),
 * installed on demand; when that fails its rows say why.
 *
 * Each scenario runs in rounds (--rounds, default 4), the contenders in turn and in rotating order, so that the
 * load of a shared machine drifting during the run does not favour whoever ran last.
 *
 *   node -r ./tools/register.js tools/bench/store.bench.ts [--events 8000] [--writers 8] [--rounds 4]
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { Pool } from 'pg';
import { ExpectedRevision, PostgresEventStore } from '@leakwatch/event-store';
import { PostgresServer } from '@leakwatch/postgres-server';
import { machine, perSecond, positiveInt, printTable, seconds } from './support/format';
import { log } from './support/process';
import { openEmmett } from './emmett/emmett-store';
import { runBenchmark } from './support/run';

interface Row {
  measure: string;
  count: string;
  time: string;
  rate: string;
  ratio: string;
  vsEmmett?: string;
}

const program = new Command('bench:store')
  .addOption(new Option('--events <n>', 'appends per scenario').default(8000).argParser(positiveInt))
  .addOption(new Option('--writers <n>', 'concurrent writers').default(8).argParser(positiveInt))
  .addOption(new Option('--rounds <n>', 'rounds per scenario, each contender in turn (the order rotates)').default(4).argParser(positiveInt))
  .addOption(new Option('--timeout <minutes>', 'hard limit of the run').default(10).argParser(positiveInt));

const data = () => ({
  finding_id: randomUUID(), leakid: randomUUID().replace(/-/g, ''), kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64),
  preview: 'ghp_…(40)', identity: { email: 'dev@example.com' }, site: null, org_id: randomUUID(), source: { name: 'gitleaks', url: null },
  risk: 'high', blockable: true, location: { file: 'src/config/settings.py', line: 42, commit: 'a'.repeat(40) }, found_at: new Date().toISOString(),
});
const metadata = { occurred_at: new Date().toISOString(), actor: { key_id: randomUUID(), org_id: randomUUID(), role: 'admin' }, correlation_id: randomUUID() };

async function main(): Promise<void> {
  const options = program.parse().opts<{ events: number; writers: number; rounds: number; timeout: number }>();
  await runBenchmark(options.timeout, async (resources) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-store-'));
    resources.paths.add(dir);
    const server = new PostgresServer({ dir });
    log('starting PostgreSQL…');
    await server.start();
    try {
      const pool = new Pool({ connectionString: await server.createDatabase('bench'), max: options.writers + 2 });
      pool.on('error', () => undefined); // the server stops at the end
      const store = await PostgresEventStore.create(pool);
      await pool.query(`CREATE TABLE raw_events (LIKE es_events INCLUDING ALL)`);
      const emmett = await openEmmett(await server.createDatabase('emmett'), options.writers + 2);
      const rows: Row[] = [];
      for (const scenario of ['new streams', 'hot streams'] as const) {
        const fresh = scenario === 'new streams';
        // Per writer: the next revision of its hot stream (raw), or the expected one (Leakwatch, Emmett).
        const rawNext = new Map<number, number>();
        const ourNext = new Map<number, number>();
        const theirNext = new Map<number, bigint>();
        const contenders: Array<{ name: 'raw' | 'ours' | 'theirs'; append: (writer: number) => Promise<void> }> = [
          {
            name: 'raw',
            append: async (writer) => {
              const revision = fresh ? 0 : rawNext.get(writer) ?? 0;
              await pool.query({
                name: 'raw_insert',
                text: `INSERT INTO raw_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
                values: [fresh ? `raw-${randomUUID()}` : `rawhot-${writer}`, revision, randomUUID(), 'FindingReceived', 1, JSON.stringify(data()), JSON.stringify(metadata)],
              });
              rawNext.set(writer, revision + 1);
            },
          },
          {
            name: 'ours',
            append: async (writer) => {
              const expected: ExpectedRevision = fresh || !ourNext.has(writer) ? 'no_stream' : (ourNext.get(writer) as number);
              const result = await store.appendToStream(fresh ? `finding-${randomUUID()}` : `hot-${writer}`, [{ id: randomUUID(), type: 'FindingReceived', data: data(), metadata }], { expectedRevision: expected });
              ourNext.set(writer, result.nextExpectedRevision);
            },
          },
        ];
        if ('store' in emmett) {
          contenders.push({
            name: 'theirs',
            append: async (writer) => {
              const expected = fresh || !theirNext.has(writer) ? 'STREAM_DOES_NOT_EXIST' : (theirNext.get(writer) as bigint);
              const result = await emmett.store.appendToStream(fresh ? `finding-${randomUUID()}` : `hot-${writer}`, [{ type: 'FindingReceived', data: data(), metadata }], { expectedStreamVersion: expected });
              theirNext.set(writer, result.nextExpectedStreamVersion);
            },
          });
        }
        // Rounds in rotating order, so a change of load on the machine falls on every contender alike.
        const elapsed = { raw: 0, ours: 0, theirs: 0 };
        const perRound = Math.ceil(options.events / options.rounds);
        for (let round = 0; round < options.rounds; round++) {
          const count = Math.min(perRound, options.events - round * perRound);
          for (let i = 0; i < contenders.length; i++) {
            const contender = contenders[(round + i) % contenders.length];
            elapsed[contender.name] += await drive({ events: count, writers: options.writers }, (writer) => contender.append(writer));
          }
        }
        const { raw, ours } = elapsed;
        const theirs = 'store' in emmett ? elapsed.theirs : undefined;
        rows.push(
          { measure: `raw prepared INSERT, ${scenario}`, count: `${options.events} rows`, time: seconds(raw), rate: perSecond(options.events, raw, 'rows'), ratio: '1.00' },
          {
            measure: `Leakwatch appendToStream, ${scenario}`, count: `${options.events} events`, time: seconds(ours), rate: perSecond(options.events, ours, 'events'), ratio: (raw / ours).toFixed(2),
            vsEmmett: theirs === undefined ? '' : (theirs / ours).toFixed(2),
          },
          theirs === undefined
            ? { measure: `Emmett PostgreSQL store, ${scenario}`, count: 'not run', time: '', rate: 'unavailable' in emmett ? emmett.unavailable : '', ratio: '' }
            : { measure: `Emmett PostgreSQL store, ${scenario}`, count: `${options.events} events`, time: seconds(theirs), rate: perSecond(options.events, theirs, 'events'), ratio: (raw / theirs).toFixed(2), vsEmmett: '1.00' },
        );
      }
      if ('store' in emmett) await emmett.close();
      printTable(
        `Leakwatch event store benchmark — single-event appends, ${options.writers} writers, ${options.rounds} rounds in turn (${machine()})`,
        [['measure', 'measure', 'left'], ['count', 'count', 'right'], ['time', 'time', 'right'], ['rate', 'rate', 'right'], ['ratio', '÷ raw INSERT', 'right'], ['vsEmmett', '÷ Emmett', 'right']],
        rows,
      );
      await store.close();
      await pool.end();
    } finally {
      await server.stop();
    }
  });
}

/** `events` calls of `append(writer, n)` spread over `writers` concurrent loops; returns the elapsed ms. */
async function drive(options: { events: number; writers: number }, append: (writer: number, n: number) => Promise<void>): Promise<number> {
  const perWriter = Math.ceil(options.events / options.writers);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.writers }, async (_, writer) => {
      for (let n = 0; n < perWriter && writer * perWriter + n < options.events; n++) await append(writer, n);
    }),
  );
  return performance.now() - started;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
