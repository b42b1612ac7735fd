/**
 * `leakwatch projections list | rebuild`: inspect the read-model runners and rebuild them from the event store.
 * The rebuild logic lives in ../projections (shared with the benchmark through this command).
 */
import { Command, Option } from 'commander';
import { CliDatabase, openDatabase } from '../database';
import { EventSource, openEventSource } from '../projections/event-source';
import { liveLeakwatchSigns } from '../projections/live-process';
import { createProgress } from '../projections/progress';
import { RebuildPass, RebuildResult, rebuildRunners } from '../projections/rebuild';
import { RUNNERS, selectRunners } from '../projections/registry';
import { runnerStatus } from '../projections/status';

const runnerList = () => RUNNERS.map((r) => `  ${r.name.padEnd(16)} ${r.projections.flatMap((p) => p.tables).join(', ')}  (run live by ${r.service})`).join('\n');

export function registerProjectionsCommand(program: Command): void {
  const projections = program
    .command('projections')
    .description('List the read-model projection runners, or rebuild them from the event store')
    .addHelpText('after', `\nRunners and the tables they own:\n${runnerList()}`);

  projections
    .command('list')
    .description('Each runner: its tables (row counts), its checkpoint, and its lag (events after the checkpoint)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Lag 0 means the runner has applied every event in the store. A runner that never ran shows no checkpoint
and a lag of every event; a table that does not exist yet shows "-" rows.`,
    )
    .action(async (options: { json?: boolean }) =>
      withStore(async (db, source) => {
        const statuses = [];
        for (const runner of RUNNERS) statuses.push(await runnerStatus(db.pool, source, runner));
        if (options.json) return console.log(JSON.stringify({ database: db.describe, event_store: source.describe, runners: statuses }, null, 2));
        console.log(`Projection runners in the ${db.describe}`);
        const rows = statuses.map((s) => ({
          runner: s.runner,
          tables: s.tables.map((t) => `${t.name} (${t.rows ?? '-'})`).join(', '),
          checkpoint: s.checkpoint ?? 'none (never ran)',
          lag: s.lag === 0 ? '0 (up to date)' : `${s.lag} events behind`,
        }));
        printTable(rows);
      }),
    );

  projections
    .command('rebuild')
    .description('Empty the tables of the chosen runners and replay every event from position 0 into them')
    .argument('[runner...]', `runner(s) to rebuild: ${RUNNERS.map((r) => r.name).join(', ')}`)
    .option('--all', 'rebuild every runner')
    .option('-y, --yes', 'rebuild even though a Leakwatch process is live on this database (see below)')
    .addOption(new Option('--batch-size <n>', 'events read and applied per transaction').default(5000).argParser(positiveInt))
    .option('--json', 'print the summary as JSON (progress still goes to stderr)')
    .option('--copy-yardstick', 'afterwards, time a raw COPY of the same events into a scratch table and print the rebuild rate ÷ that rate')
    .addHelpText(
      'after',
      `
What it does, per runner:
  1. counts the events in the store (the progress total);
  2. empties the runner's tables and deletes its checkpoint (resetProjections), in one transaction;
  3. replays the all-stream from position 0 in pages of --batch-size events (the next page is read while one
     is applied; runners that read the same events share one pass, each page read once and applied by each
     of them): each page is applied set-based by the runner's projections and the checkpoint moved in ONE
     transaction, as the live runner does per page,
     so the tables end up exactly as the live runner would have built them; a failure leaves a consistent
     checkpoint, and running the rebuild again starts over;
  4. prints a summary: events replayed, duration, events/s.
Progress goes to stderr: a progress bar on a terminal, otherwise one line per 10 %.
While it runs, the runner's tables are incomplete: queries served from them see fewer rows.

Refuses to run while Leakwatch is live on the same database: its projection runners keep projecting new
events into the tables being rebuilt and do not notice the reset, so the two race (the live runner's
checkpoint and rows can interleave with the rebuild's). Live = the embedded database was already running
when the command connected, or the database has sessions of Leakwatch's services (application_name
leakwatch-<service>). Stop Leakwatch first (Ctrl-C or SIGTERM; the command then starts the embedded
database for its own duration), or pass --yes to rebuild anyway. Restart the services afterwards so their
runners resume from the rebuilt checkpoint.

Runners:
${runnerList()}

The database is DATABASE_URL or the embedded one under LEAKWATCH_DATA_DIR; with EVENTSTORE_URL set,
events are read from KurrentDB as the services do.

Examples:
  $ npm run leakwatch -- projections rebuild --all
  $ npm run leakwatch -- projections rebuild leak-lifecycle --yes
  $ DATABASE_URL=postgres://... npm run leakwatch -- projections rebuild access-control --json`,
    )
    .action(async (names: string[], options: { all?: boolean; yes?: boolean; batchSize: number; json?: boolean; copyYardstick?: boolean }) => {
      const runners = selectRunners(names, Boolean(options.all));
      await withStore(async (db, source) => {
        const signs = await liveLeakwatchSigns(db);
        if (signs.length) {
          const warning = `Leakwatch is live on the ${db.describe} (${signs.join('; ')}). Its projection runners keep projecting while the rebuild empties and refills the same tables, so the two may race.`;
          if (!options.yes) throw new Error(`${warning}\nStop Leakwatch first (recommended), or pass --yes to rebuild anyway.`);
          console.error(`warning: ${warning} Proceeding because of --yes; restart Leakwatch afterwards.`);
        }
        // Progress per runner (runners reading the same events advance together: they share one pass).
        const progress = new Map(runners.map((r) => [r.name, createProgress(r.name)]));
        let pass: RebuildPass;
        try {
          pass = await rebuildRunners(db.pool, source, runners, {
            batchSize: options.batchSize,
            copyYardstick: options.copyYardstick,
            onStart: (runner, total) => progress.get(runner.name)?.start(total),
            onProgress: (runner, done, total) => progress.get(runner.name)?.update(done, total),
          });
        } finally {
          progress.forEach((p) => p.stop());
        }
        const results: RebuildResult[] = pass.results;
        if (!options.json) {
          for (const r of results) {
            const shared = r.shared_with?.length ? ` (one pass with ${r.shared_with.join(', ')})` : '';
            console.log(`Rebuilt ${r.runner} (${r.tables.join(', ')}): ${r.events} events (${r.applied} applied) in ${(r.duration_ms / 1000).toFixed(2)} s — ${r.events_per_second} events/s${shared}`);
            // A poison event does not stop the rebuild: it is parked, and said so (issue 15.1).
            if (r.parked) console.log(`  ${r.parked} event${r.parked === 1 ? '' : 's'} parked, not applied: leakwatch events parked list --consumer projection:${r.runner}`);
          }
          console.log(`All: ${pass.events} events replayed in ${(pass.duration_ms / 1000).toFixed(2)} s — ${pass.events_per_second} events/s`);
          if (pass.copy) console.log(`  raw COPY of the same events: ${pass.copy.events_per_second} events/s — rebuild ÷ raw COPY ${pass.copy.ratio}`);
        }
        if (options.json) {
          const { results: _results, ...total } = pass;
          console.log(JSON.stringify({ database: db.describe, event_store: source.describe, runners: results, total }, null, 2));
        }
      });
    });
}

async function withStore(work: (db: CliDatabase, source: EventSource) => Promise<void>): Promise<void> {
  const db = await openDatabase();
  try {
    const source = await openEventSource(db.pool, db.describe);
    try {
      await work(db, source);
    } finally {
      await source.close();
    }
  } finally {
    await db.close();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}

function printTable(rows: Array<Record<string, string>>): void {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd();
  console.log(line(columns));
  rows.forEach((r) => console.log(line(columns.map((c) => r[c]))));
}
