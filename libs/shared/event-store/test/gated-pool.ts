import { Pool, PoolClient } from 'pg';

/**
 * A pool whose appends stop just before COMMIT until the test releases them: the real adapter code path (its
 * one `es_append` statement), run inside an explicit transaction that is held open (or rolled back) while
 * other appends commit.
 */
export function gatedPool(url: string, quietPool: (url: string) => Pool) {
  const pool = quietPool(url);
  const gates: Array<{ reached: () => void; release: Promise<'commit' | 'rollback'> }> = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
    const config = args[0] as { name?: string } | string;
    const gate = typeof config === 'object' && (config.name === 'es_append' || config.name === 'es_append_one') ? gates.shift() : undefined;
    if (!gate) return query(...args);
    const client: PoolClient = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
      gate.reached();
      if ((await gate.release) === 'rollback') throw new Error('simulated failure before commit');
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    pool,
    /** The next append will wait before COMMIT; returns handles to observe and release it. */
    hold() {
      let reached!: () => void;
      let release!: (how: 'commit' | 'rollback') => void;
      const atCommit = new Promise<void>((r) => (reached = r));
      gates.push({ reached, release: new Promise((r) => (release = r)) });
      return { atCommit, release };
    },
  };
}
