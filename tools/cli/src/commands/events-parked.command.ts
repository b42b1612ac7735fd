/**
 * `leakwatch events parked list|retry|skip`: the events a projection runner or bus consumer group parked
 * after failing on them (parked_events). `retry` asks the live consumer to handle them again (it looks every
 * 2 s; a success removes the row, a failure parks it again with the new error); `skip` gives up on them (kept
 * for the record, no longer counted by /health and /metrics).
 */
import { Command } from 'commander';
import { ParkedEvents } from '@leakwatch/projections';
import { openDatabase } from '../database';

export function registerEventsParkedCommand(program: Command): void {
  const events = program.command('events').description('Events consumers could not handle');
  const parked = events.command('parked').description('Parked events: list them, ask for a retry, or skip them');

  parked
    .command('list')
    .description('Parked events (oldest first): consumer, event, error, attempts, state')
    .option('--consumer <name>', 'only this consumer (e.g. projection:leak-lifecycle, bus:all.leak-lifecycle.findings)')
    .option('--all', 'include skipped events')
    .option('--json', 'print JSON')
    .action(async (options: { consumer?: string; all?: boolean; json?: boolean }) => {
      await withParked(async (store) => {
        const rows = await store.list({ consumer: options.consumer, states: options.all ? ['parked', 'retry', 'skipped'] : ['parked', 'retry'] });
        if (options.json) return console.log(JSON.stringify({ parked: rows.map(({ payload: _p, ...row }) => row) }, null, 2));
        if (!rows.length) return console.log('No parked events.');
        console.table(rows.map((r) => ({ consumer: r.consumer, event_id: r.event_id, type: r.event_type, stream: r.stream_id ?? '', attempts: r.attempts, state: r.state, parked_at: r.parked_at.toISOString(), error: r.error.slice(0, 120) })));
      });
    });

  for (const [name, description, act] of [
    ['retry', 'Ask the live consumer to handle these events again', (s: ParkedEvents, c: string | undefined, ids: string[] | 'all') => s.requestRetry(c, ids)],
    ['skip', 'Give up on these events (kept for the record, no longer counted)', (s: ParkedEvents, c: string | undefined, ids: string[] | 'all') => s.skip(c, ids)],
  ] as const) {
    parked
      .command(name)
      .description(description)
      .argument('[event-ids...]', 'event ids from `events parked list`')
      .option('--consumer <name>', 'only this consumer')
      .option('--all', 'every parked event (of --consumer, if given)')
      .action(async (ids: string[], options: { consumer?: string; all?: boolean }) => {
        if (!ids.length && !options.all) throw new Error('name the event ids, or pass --all');
        await withParked(async (store) => {
          const count = await act(store, options.consumer, options.all ? 'all' : ids);
          console.log(`${name === 'retry' ? 'Retry requested for' : 'Skipped'} ${count} parked event${count === 1 ? '' : 's'}.`);
        });
      });
  }
}

async function withParked(work: (store: ParkedEvents) => Promise<void>): Promise<void> {
  const db = await openDatabase();
  try {
    await work(new ParkedEvents(db.pool));
  } finally {
    await db.close();
  }
}
