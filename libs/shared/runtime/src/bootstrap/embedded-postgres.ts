/**
 * Embedded mode's database: a PostgreSQL server the app initialises, starts and stops itself under
 * LEAKWATCH_DATA_DIR, so `npm start` needs nothing installed and keeps its data across restarts.
 */
import { Logger } from '@nestjs/common';
import path from 'node:path';
import { Client } from 'pg';
import { PostgresServer } from '@leakwatch/postgres-server';

const DATABASE = 'leakwatch';

/** `httpPort`: the port the app will listen on, which the server must not take (it picks a free port before the app binds). */
export async function startEmbeddedPostgres(dataDir: string, httpPort?: number): Promise<{ server: PostgresServer; url: string }> {
  const logger = new Logger('EmbeddedPostgres');
  const server = new PostgresServer({ dir: path.join(dataDir, 'postgres'), avoidPorts: httpPort ? [httpPort] : [] });
  const started = Date.now();
  await server.start();
  const admin = new Client({ connectionString: server.url() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const socket = server.socketDir ? `, Unix socket in ${server.socketDir}` : '';
  logger.log(`embedded PostgreSQL ready on 127.0.0.1:${server.port}${socket} (data in ${path.join(dataDir, 'postgres')}, ${Date.now() - started} ms)`);
  return { server, url: server.url(DATABASE) };
}
