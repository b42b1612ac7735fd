/** Counts events in the embedded event store of a running (or stopped-but-not-cleaned) Leakwatch process. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/** Events per stream category (`leak`, `finding`, `apikey`, ...), straight from `es_events`. */
export async function storedEventCounts(dataDir: string): Promise<Record<string, number>> {
  const dir = path.join(dataDir, 'postgres');
  const port = Number(readFileSync(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'leakwatch' });
  await client.connect();
  try {
    const { rows } = await client.query<{ category: string; n: number }>(
      `SELECT split_part(stream_id, '-', 1) AS category, count(*)::int AS n FROM es_events GROUP BY 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.category, r.n]));
  } finally {
    await client.end();
  }
}
