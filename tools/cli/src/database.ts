/**
 * Finds the database a CLI command should use: DATABASE_URL, else the embedded PostgreSQL of
 * LEAKWATCH_DATA_DIR — connecting to it if Leakwatch is running, or starting it for the command's duration.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { PostgresServer } from '@leakwatch/postgres-server';

export interface CliDatabase {
  pool: Pool;
  describe: string;
  /** True when we connected to the embedded PostgreSQL of a Leakwatch that is running right now. */
  embeddedRunning: boolean;
  close(): Promise<void>;
}

/** Our sessions' name in pg_stat_activity; Leakwatch's own pools call themselves `leakwatch-<service>`. */
export const CLI_APPLICATION_NAME = 'leakwatch-cli';

export async function openDatabase(env: NodeJS.ProcessEnv = process.env): Promise<CliDatabase> {
  if (env.DATABASE_URL) {
    const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4, application_name: CLI_APPLICATION_NAME });
    return { pool, describe: 'DATABASE_URL', embeddedRunning: false, close: () => pool.end() };
  }
  const dir = path.join(path.resolve(env.LEAKWATCH_DATA_DIR || '.leakwatch'), 'postgres');
  if (!existsSync(path.join(dir, 'pgdata', 'PG_VERSION'))) {
    throw new Error(`no DATABASE_URL and no embedded database in ${dir} (start Leakwatch once with npm start, or set LEAKWATCH_DATA_DIR)`);
  }
  const running = runningPort(dir);
  const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
  if (running) {
    const pool = new Pool({ host: '127.0.0.1', port: running, user: 'postgres', password, database: 'leakwatch', max: 4, application_name: CLI_APPLICATION_NAME });
    return { pool, describe: `embedded database of the running Leakwatch (port ${running})`, embeddedRunning: true, close: () => pool.end() };
  }
  const server = new PostgresServer({ dir });
  await server.start();
  const pool = new Pool({ connectionString: server.url('leakwatch'), max: 4, application_name: CLI_APPLICATION_NAME });
  pool.on('error', () => undefined); // an idle client may see the server we started stop as the command closes it
  return {
    pool,
    describe: `embedded database in ${dir}`,
    embeddedRunning: false,
    close: async () => {
      await pool.end();
      await server.stop();
    },
  };
}

/** postmaster.pid: line 1 = pid, line 4 = port. */
function runningPort(dir: string): number | undefined {
  const pidFile = path.join(dir, 'pgdata', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(lines[0]), 0);
  } catch {
    return undefined;
  }
  return Number(lines[3]) || undefined;
}
