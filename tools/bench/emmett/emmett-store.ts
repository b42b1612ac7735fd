/**
 * Emmett's PostgreSQL event store for bench:store, loaded from its own package (tools/bench/emmett: Emmett
 * needs commander@^12, Leakwatch uses 14) and installed there on demand with `npm ci`. Typed here by hand with
 * only what the benchmark calls, so tsc never needs Emmett's packages to be installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { log } from '../support/process';

export const EMMETT_DIR = __dirname;

export interface EmmettStore {
  appendToStream(
    streamName: string,
    events: Array<{ type: string; data: unknown; metadata?: Record<string, unknown> }>,
    options?: { expectedStreamVersion?: bigint | 'STREAM_DOES_NOT_EXIST' },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  close(): Promise<void>;
  schema: { migrate(): Promise<void> };
}

interface EmmettPool {
  end(): Promise<void>;
  on(event: 'error', listener: () => void): void;
}

/** Emmett's store on `connectionString` with a pool of its own (Emmett's own `pg`), or why it cannot run. */
export async function openEmmett(connectionString: string, max: number): Promise<{ store: EmmettStore; close(): Promise<void> } | { unavailable: string }> {
  const installed = () => existsSync(path.join(EMMETT_DIR, 'node_modules', '@event-driven-io', 'emmett-postgresql', 'package.json'));
  if (!installed()) {
    log('installing Emmett for the comparison (npm ci --prefix tools/bench/emmett)…');
    const npm = spawnSync('npm', ['ci', '--prefix', EMMETT_DIR, '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (npm.status !== 0 || !installed()) return { unavailable: `npm ci --prefix tools/bench/emmett failed: ${(npm.stderr || npm.error?.message || '').trim().split('\n').pop()}` };
  }
  const load = createRequire(path.join(EMMETT_DIR, 'package.json'));
  const { getPostgreSQLEventStore } = load('@event-driven-io/emmett-postgresql') as {
    getPostgreSQLEventStore(connectionString: string, options: { connectionOptions: { pool: EmmettPool } }): EmmettStore;
  };
  const { Pool } = load('pg') as { Pool: new (options: { connectionString: string; max: number }) => EmmettPool };
  const pool = new Pool({ connectionString, max });
  pool.on('error', () => undefined); // the server stops at the end
  const store = getPostgreSQLEventStore(connectionString, { connectionOptions: { pool } });
  await store.schema.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}
