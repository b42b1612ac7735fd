/**
 * Given/when/then for read-model projections, against a real PostgreSQL:
 *
 *   given these recorded events → then this query returns these rows
 *
 * and, because every projection must be idempotent and set-based pages must agree with event-by-event
 * application, the same rows come out three ways: one event at a time, as one page (`applyPage`, when the
 * projection has it), and with every event delivered twice. Each way starts from empty tables.
 */
import type { Pool, PoolClient } from 'pg';

/**
 * The part of a projection a specification drives (declared structurally: the projections lib's own tests
 * use this lib, so it cannot import that one).
 */
export interface ProjectionLike<Event> {
  name: string;
  tables: string[];
  setup(client: PoolClient): Promise<void>;
  canHandle(event: Event): boolean;
  apply(event: Event, client: PoolClient): Promise<void>;
  applyPage?(events: Event[], client: PoolClient): Promise<void>;
}

export function projectionSpecification<Event>(projection: ProjectionLike<Event>, pool: () => Pool) {
  return {
    given(events: Event[]) {
      return {
        /** `query` reads the rows (give it an ORDER BY); they must equal `rows` whichever way the events were applied. */
        async then(query: string, rows: unknown[]): Promise<void> {
          const ways: Array<[string, (client: PoolClient) => Promise<void>]> = [
            ['event by event', (client) => applyEach(projection, events, client)],
            ['every event twice', (client) => applyEach(projection, events.flatMap((e) => [e, e]), client)],
          ];
          const applyPage = projection.applyPage?.bind(projection);
          if (applyPage) ways.push(['as one page', (client) => applyPage(events.filter((e) => projection.canHandle(e)), client)]);
          for (const [way, apply] of ways) {
            const client = await pool().connect();
            try {
              await client.query('BEGIN');
              for (const table of projection.tables) await client.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
              await projection.setup(client);
              await apply(client);
              const actual = (await client.query(query)).rows;
              expect({ projection: projection.name, way, rows: actual }).toEqual({ projection: projection.name, way, rows });
            } finally {
              await client.query('ROLLBACK').catch(() => undefined);
              client.release();
            }
          }
        },
      };
    },
  };
}

async function applyEach<Event>(projection: ProjectionLike<Event>, events: Event[], client: PoolClient): Promise<void> {
  for (const event of events) if (projection.canHandle(event)) await projection.apply(event, client);
}
