/** Reads the embedded event store and read models of a running (or stopped-but-not-cleaned) Leakwatch process. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A connected client of the embedded PostgreSQL of the process whose data directory is `dataDir` (its port and
 * password are in that directory). It ignores connection errors: tests keep it across a kill -9 of the process.
 */
export async function embeddedDatabaseClient(dataDir: string): Promise<Client> {
  const dir = path.join(dataDir, 'postgres');
  const port = Number(readFileSync(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'leakwatch' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs `work` with a client of that embedded PostgreSQL, and closes it. */
export async function withEmbeddedDatabase<T>(dataDir: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await embeddedDatabaseClient(dataDir);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Events per stream category (`leak`, `finding`, `apikey`, ...), straight from `es_events`. */
export async function storedEventCounts(dataDir: string): Promise<Record<string, number>> {
  return withEmbeddedDatabase(dataDir, async (client) => {
    const { rows } = await client.query<{ category: string; n: number }>(
      `SELECT split_part(stream_id, '-', 1) AS category, count(*)::int AS n FROM es_events GROUP BY 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.category, r.n]));
  });
}
