import { Pool } from 'pg';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { dedupHandler, PostgresCheckpointStore, PostgresProcessedMessages } from '../src';
import { testEvent } from './helpers';

let pg: ThrowawayPostgres;
let pool: Pool;
let processed: PostgresProcessedMessages;
beforeAll(async () => {
  pg = await startThrowawayPostgres();
  pool = await pg.newPool('messaging');
  processed = await PostgresProcessedMessages.create(pool);
  await PostgresProcessedMessages.create(pool); // schema creation is idempotent
  await pool.query('CREATE TABLE read_model (event_id text PRIMARY KEY, note text)');
});
afterAll(async () => pg?.stop());

const rows = async () => (await pool.query<{ event_id: string }>('SELECT event_id FROM read_model ORDER BY event_id')).rows.map((r) => r.event_id);

describe('PostgresProcessedMessages', () => {
  beforeEach(async () => {
    await pool.query('TRUNCATE read_model, messaging_processed');
  });

  it('runs the work once for the same event id, writing the read model in the same transaction', async () => {
    const work = (id: string) => async (tx: import('pg').PoolClient) => {
      await tx.query('INSERT INTO read_model (event_id) VALUES ($1)', [id]);
    };
    expect(await processed.runOnce('stats', 'e1', work('e1'))).toBe(true);
    expect(await processed.runOnce('stats', 'e1', work('e1'))).toBe(false); // would violate the PK if it ran
    expect(await processed.runOnce('audit', 'e1', async () => undefined)).toBe(true);
    expect(await rows()).toEqual(['e1']);
    const marks = await pool.query('SELECT consumer, event_id FROM messaging_processed ORDER BY consumer');
    expect(marks.rows).toEqual([{ consumer: 'audit', event_id: 'e1' }, { consumer: 'stats', event_id: 'e1' }]);
  });

  it('records nothing when the work throws — its own writes roll back too — and a retry runs it again', async () => {
    await expect(
      processed.runOnce('stats', 'e2', async (tx) => {
        await tx.query('INSERT INTO read_model (event_id) VALUES ($1)', ['e2']);
        throw new Error('handler bug');
      }),
    ).rejects.toThrow('handler bug');
    expect(await rows()).toEqual([]);
    expect((await pool.query('SELECT 1 FROM messaging_processed')).rowCount).toBe(0);

    expect(await processed.runOnce('stats', 'e2', async (tx) => void (await tx.query("INSERT INTO read_model VALUES ('e2')")))).toBe(true);
    expect(await rows()).toEqual(['e2']);
  });

  it('lets only one of several concurrent deliveries of the same event do the work', async () => {
    let runs = 0;
    const work = async (tx: import('pg').PoolClient) => {
      runs++;
      await tx.query('SELECT pg_sleep(0.05)');
      await tx.query("INSERT INTO read_model VALUES ('e3')");
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => processed.runOnce('stats', 'e3', work)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    expect(await rows()).toEqual(['e3']);
  });

  it('dedupHandler passes the transaction to the handler', async () => {
    const event = testEvent('k');
    const handler = dedupHandler(processed, 'projection', async (e, tx) => void (await tx.query('INSERT INTO read_model VALUES ($1)', [e.id])));
    await handler(event);
    await handler(event);
    expect(await rows()).toEqual([event.id]);
  });
});

describe('PostgresCheckpointStore', () => {
  it('loads nothing before the first save, then the last saved position', async () => {
    const checkpoints = await PostgresCheckpointStore.create(pool);
    expect(await checkpoints.load('relay:a')).toBeUndefined();
    await checkpoints.save('relay:a', { commit: 10n, prepare: 3n });
    await checkpoints.save('relay:a', { commit: 12n, prepare: 9n });
    await checkpoints.save('relay:b', { commit: 1n, prepare: 1n });
    expect(await checkpoints.load('relay:a')).toEqual({ commit: 12n, prepare: 9n });
    expect(await (await PostgresCheckpointStore.create(pool)).load('relay:b')).toEqual({ commit: 1n, prepare: 1n });
  });
});
