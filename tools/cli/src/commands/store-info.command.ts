import { Command } from 'commander';
import { openDatabase } from '../database';

export function registerStoreInfoCommand(program: Command): void {
  const store = program.command('store').description('Inspect the PostgreSQL event store');
  store
    .command('info')
    .description('Events and streams per stream category, and the newest event')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const db = await openDatabase();
      try {
        const exists = await db.pool.query(`SELECT to_regclass('es_events') IS NOT NULL AS present`);
        if (!exists.rows[0].present) throw new Error(`no event store in the ${db.describe}`);
        const { rows } = await db.pool.query<{ category: string; streams: string; events: string; last_event: Date }>(
          `SELECT split_part(stream_id, '-', 1) AS category, count(DISTINCT stream_id) AS streams, count(*) AS events,
                  max(recorded_at) AS last_event
             FROM es_events GROUP BY 1 ORDER BY 1`,
        );
        const summary = rows.map((r) => ({ category: r.category, streams: Number(r.streams), events: Number(r.events), last_event: r.last_event.toISOString() }));
        if (options.json) return console.log(JSON.stringify({ database: db.describe, categories: summary }, null, 2));
        console.log(`Event store in the ${db.describe}`);
        if (!summary.length) return console.log('  (empty)');
        console.table(summary);
      } finally {
        await db.close();
      }
    });
}
