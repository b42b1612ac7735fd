/**
 * Where a rebuild reads events from: the PostgreSQL event store in the CLI's database, or KurrentDB when
 * EVENTSTORE_URL is set (as the services do). Counting is exact and uses the same visibility rule as
 * `readAll`, so "lag" and a progress bar's total mean the events a runner would actually be fed.
 */
import type { Pool } from 'pg';
import { EventStore, GlobalPosition, KurrentDbEventStore, PostgresEventStore, START } from '@leakwatch/event-store';

export interface EventSource {
  store: EventStore;
  describe: string;
  /** Events a subscription would deliver strictly after `after` (all of them without it). */
  count(after?: GlobalPosition): Promise<number>;
  close(): Promise<void>;
}

export async function openEventSource(pool: Pool, database: string, env: NodeJS.ProcessEnv = process.env): Promise<EventSource> {
  if (env.EVENTSTORE_URL) {
    const store = KurrentDbEventStore.fromConnectionString(env.EVENTSTORE_URL);
    return { store, describe: 'KurrentDB (EVENTSTORE_URL)', count: (after) => countByReading(store, after), close: () => store.close() };
  }
  // Never create an event store schema in a database that has none: that is a wrong DATABASE_URL, not an empty store.
  const { rows } = await pool.query<{ present: boolean }>(`SELECT to_regclass('es_events') IS NOT NULL AS present`);
  if (!rows[0].present) throw new Error(`no event store in the ${database}`);
  const store = await PostgresEventStore.create(pool);
  return {
    store,
    describe: `PostgreSQL event store in the ${database}`,
    async count(after = START) {
      const result = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM es_events
          WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
            AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
        [after.commit.toString(), after.prepare.toString()],
      );
      return Number(result.rows[0].n);
    },
    close: () => store.close(),
  };
}

async function countByReading(store: EventStore, after?: GlobalPosition): Promise<number> {
  let n = 0;
  for (let page = await store.readAll({ after, maxCount: 1000 }); page.length; page = await store.readAll({ after, maxCount: 1000 })) {
    n += page.length;
    after = page[page.length - 1].position;
  }
  return n;
}
