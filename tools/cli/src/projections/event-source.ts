/**
 * Where a rebuild reads events from: the PostgreSQL event store in the CLI's database, or KurrentDB when
 * EVENTSTORE_URL is set (as the services do). Counting is exact and uses the same visibility rule as
 * `readAll`, so "lag" and a progress bar's total mean the events a runner would actually be fed.
 */
import type { Pool } from 'pg';
import { AllStreamFilter, EventStore, GlobalPosition, KurrentDbEventStore, PostgresEventStore, START } from '@leakwatch/event-store';

export interface EventSource {
  store: EventStore;
  describe: string;
  /** Events a subscription (with `filter`) would deliver strictly after `after` (all of them without it). */
  count(after?: GlobalPosition, filter?: AllStreamFilter): Promise<number>;
  close(): Promise<void>;
}

export async function openEventSource(pool: Pool, database: string, env: NodeJS.ProcessEnv = process.env): Promise<EventSource> {
  if (env.EVENTSTORE_URL) {
    const store = KurrentDbEventStore.fromConnectionString(env.EVENTSTORE_URL);
    return { store, describe: 'KurrentDB (EVENTSTORE_URL)', count: (after, filter) => countByReading(store, after, filter), close: () => store.close() };
  }
  // Never create an event store schema in a database that has none: that is a wrong DATABASE_URL, not an empty store.
  const { rows } = await pool.query<{ present: boolean }>(`SELECT to_regclass('es_events') IS NOT NULL AS present`);
  if (!rows[0].present) throw new Error(`no event store in the ${database}`);
  const store = await PostgresEventStore.create(pool);
  return {
    store,
    describe: `PostgreSQL event store in the ${database}`,
    async count(after = START, filter?: AllStreamFilter) {
      const result = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM es_events
          WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
            AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            AND ($3::text[] IS NULL OR stream_category = ANY($3::text[]))
            AND ($4::text[] IS NULL OR event_type = ANY($4::text[]))`,
        [after.commit.toString(), after.prepare.toString(), filter?.streamCategories ?? null, filter?.eventTypes ?? null],
      );
      return Number(result.rows[0].n);
    },
    close: () => store.close(),
  };
}

async function countByReading(store: EventStore, after?: GlobalPosition, filter?: AllStreamFilter): Promise<number> {
  let n = 0;
  for (;;) {
    const page = await store.readAllPage({ after, maxCount: 1000, filter });
    n += page.events.length;
    if (!page.position || (after && page.position.commit === after.commit && page.position.prepare === after.prepare)) return n;
    after = page.position;
  }
}
