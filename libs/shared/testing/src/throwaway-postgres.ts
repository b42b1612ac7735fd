/**
 * A private PostgreSQL for one test file: fresh data directory under the OS temp dir, free loopback port,
 * removed again on stop. Each test file gets its own server, so suites never share state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { PostgresServer } from '@leakwatch/postgres-server';

export interface ThrowawayPostgres {
  server: PostgresServer;
  /** URL of the default database. */
  url: string;
  /** Creates a new empty database and returns its URL. */
  newDatabase(prefix?: string): Promise<string>;
  /** A pool on a new empty database; closed by `stop()`. */
  newPool(prefix?: string): Promise<Pool>;
  stop(): Promise<void>;
}

let counter = 0;

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-pg-'));
  const server = new PostgresServer({
    dir,
    // Throwaway data: durability off makes the suites several times faster.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' },
  });
  await server.start();
  const pools: Pool[] = [];
  const newDatabase = (prefix = 'test') => server.createDatabase(`${prefix}_${process.pid}_${++counter}`);
  return {
    server,
    url: server.url(),
    newDatabase,
    async newPool(prefix) {
      const pool = new Pool({ connectionString: await newDatabase(prefix), max: 20 });
      pool.on('error', () => undefined); // idle clients see the server stop at teardown
      pools.push(pool);
      return pool;
    },
    async stop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
