/**
 * The PostgreSQL transaction boilerplate every adapter needs, written once: take a client from the pool,
 * BEGIN, do the work, COMMIT — or ROLLBACK when the work (or COMMIT) fails — and always give the client back.
 */
import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on a pooled client and returns its result. When `work` throws, the
 * transaction is rolled back and the work's error propagates (a failing ROLLBACK is ignored: the original
 * error is the one that matters, and a broken connection ends its transaction anyway).
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Idempotent schema setup: in one transaction, takes the advisory lock `hashtext(lockName)` and then runs the
 * DDL (`CREATE ... IF NOT EXISTS`), so concurrently starting processes don't race on CREATE (two concurrent
 * `CREATE TABLE IF NOT EXISTS` can still both try to insert the catalog row and one fails). The lock is
 * transaction-scoped: it is released by COMMIT or ROLLBACK.
 */
export function createSchemaOnce(
  pool: Pool,
  lockName: string,
  sql: string | ((client: PoolClient) => Promise<void>),
): Promise<void> {
  return withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [lockName]);
    if (typeof sql === 'string') await client.query(sql);
    else await sql(client);
  });
}
