import type { Pool } from 'pg';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { createSchemaOnce, withTransaction } from '../src';

describe('withTransaction / createSchemaOnce (real PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('pg_util');
    await pool.query(`CREATE TABLE items (id int PRIMARY KEY)`);
  });
  afterAll(async () => {
    await pg?.stop();
  });
  beforeEach(async () => {
    await pool.query(`TRUNCATE items`);
  });

  const ids = async () => (await pool.query<{ id: number }>(`SELECT id FROM items ORDER BY id`)).rows.map((r) => r.id);
  /** Every client the pool opened is back and idle: nothing leaked, whatever the outcome. */
  const expectAllReleased = () => {
    expect(pool.totalCount).toBeGreaterThan(0);
    expect(pool.idleCount).toBe(pool.totalCount);
    expect(pool.waitingCount).toBe(0);
  };

  it('commits the work and returns its result', async () => {
    const result = await withTransaction(pool, async (client) => {
      await client.query(`INSERT INTO items (id) VALUES (1), (2)`);
      // Inside the transaction the rows are visible; outside (another connection) they are not yet.
      expect(await ids()).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await ids()).toEqual([1, 2]);
    expectAllReleased();
  });

  it('rolls back when the work throws: the error propagates and nothing is persisted', async () => {
    const failure = new Error('boom');
    await expect(
      withTransaction(pool, async (client) => {
        await client.query(`INSERT INTO items (id) VALUES (3)`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await ids()).toEqual([]);
    expectAllReleased();
  });

  it('rolls back when a statement fails, and the released client is usable again', async () => {
    await expect(
      withTransaction(pool, async (client) => {
        await client.query(`INSERT INTO items (id) VALUES (4)`);
        await client.query(`INSERT INTO items (id) VALUES (4)`); // unique violation aborts the transaction
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await ids()).toEqual([]);
    expectAllReleased();
    // No client is left in an aborted transaction: a fresh transaction on the same pool works.
    await withTransaction(pool, (client) => client.query(`INSERT INTO items (id) VALUES (5)`));
    expect(await ids()).toEqual([5]);
    expectAllReleased();
  });

  it('createSchemaOnce: 5 concurrent callers create the table once, without error', async () => {
    const ddl = `CREATE TABLE IF NOT EXISTS once_table (id int PRIMARY KEY, note text);
      CREATE INDEX IF NOT EXISTS once_table_note ON once_table (note);`;
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => createSchemaOnce(pool, 'leakwatch:test-schema', ddl)));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('once_table', 'once_table_note')`);
    expect(rows[0].n).toBe(2);
    expectAllReleased();
  });

  it('createSchemaOnce: the DDL may be a function of the transaction client, and its failure rolls everything back', async () => {
    await createSchemaOnce(pool, 'leakwatch:test-fn-schema', async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS fn_a (id int)`);
      await client.query(`CREATE TABLE IF NOT EXISTS fn_b (id int)`);
    });
    await expect(
      createSchemaOnce(pool, 'leakwatch:test-fn-schema', async (client) => {
        await client.query(`CREATE TABLE IF NOT EXISTS fn_c (id int)`);
        await client.query(`CREATE TABLE fn_a (id int)`); // already exists
      }),
    ).rejects.toMatchObject({ code: '42P07' });
    const { rows } = await pool.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname LIKE 'fn\\_%' ORDER BY relname`);
    expect(rows.map((r) => r.relname)).toEqual(['fn_a', 'fn_b']);
    expectAllReleased();
  });

  it('createSchemaOnce holds the advisory lock until its transaction ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const holder = createSchemaOnce(pool, 'leakwatch:test-lock', async () => {
      entered();
      await gate;
    });
    await inside;
    // Another session cannot take the same lock while the schema transaction runs…
    const tryLock = () =>
      withTransaction(pool, async (client) =>
        (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('leakwatch:test-lock')) AS ok`)).rows[0].ok,
      );
    expect(await tryLock()).toBe(false);
    release();
    await holder;
    // …and can once it committed.
    expect(await tryLock()).toBe(true);
    expectAllReleased();
  });
});
