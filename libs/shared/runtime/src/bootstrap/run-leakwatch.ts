/**
 * Process entry used by every app's main.ts: load config, start embedded PostgreSQL when no DATABASE_URL
 * is given, build the app, listen, and shut down cleanly (app first, then the database) on SIGINT/SIGTERM.
 */
import type { Server } from 'node:http';
import { INestApplication, Logger } from '@nestjs/common';
import { ConfigError, LeakwatchConfig, loadConfig } from '../config/leakwatch-config';
import { PostgresServer } from '@leakwatch/postgres-server';
import { LeakwatchTarget } from './app-module';
import { createLeakwatchApp } from './create-app';
import { startEmbeddedPostgres } from './embedded-postgres';
import { ListeningHooks } from './listening-hooks';

export interface RunningLeakwatch {
  app: INestApplication;
  url: string;
  stop(): Promise<void>;
}

export async function startLeakwatch(target: LeakwatchTarget, config: LeakwatchConfig): Promise<RunningLeakwatch> {
  let embedded: PostgresServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const started = await startEmbeddedPostgres(config.dataDir, config.port);
    embedded = started.server;
    databaseUrl = started.url;
  }
  try {
    const app = await createLeakwatchApp(target, { ...config, databaseUrl });
    let url: string;
    try {
      await app.listen(config.port, config.host ?? '0.0.0.0');
      url = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
      // Only now: a start that failed to listen (busy port) must not have created or printed anything.
      await app.get(ListeningHooks).run(url);
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    let stopping: Promise<void> | undefined;
    return {
      app,
      url,
      stop: () =>
        (stopping ??= (async () => {
          await closeWithoutWaitingForKeepAlive(app);
          await embedded?.stop();
        })()),
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/** How long requests in progress may take to finish once a stop began; then their connections are cut. */
const STOP_GRACE_MS = 5_000;

/**
 * Closing the HTTP server closes the keep-alive connections idle at that moment; one that was still answering
 * becomes idle a moment later and would hold the close for its keep-alive timeout (72 s in Fastify). So idle
 * connections are swept until the close is done, requests in progress get STOP_GRACE_MS to finish, and
 * whatever is still open then (a client that never reads its answer) is cut rather than holding the stop.
 */
async function closeWithoutWaitingForKeepAlive(app: INestApplication): Promise<void> {
  const server = app.getHttpServer() as Server;
  const sweep = setInterval(() => server.closeIdleConnections?.(), 100);
  const cut = setTimeout(() => {
    new Logger('Leakwatch').warn(`connections still open ${STOP_GRACE_MS} ms into the stop: closing them`);
    server.closeAllConnections?.();
  }, STOP_GRACE_MS);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}

export async function runLeakwatch(target: LeakwatchTarget): Promise<void> {
  const logger = new Logger('Leakwatch');
  let config: LeakwatchConfig;
  try {
    config = loadConfig();
  } catch (error) {
    // Every bad variable, one per line, and no stack trace: the fix is in the environment, not the code.
    console.error(error instanceof ConfigError ? error.message : `Invalid configuration: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  try {
    const running = await startLeakwatch(target, config);
    logger.log(`Leakwatch (${target.name}) listening on ${running.url} — API docs at ${running.url}/docs`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.log(`${signal} received, shutting down`);
        running.stop().then(
          () => process.exit(0),
          (error) => {
            logger.error(error);
            process.exit(1);
          },
        );
      });
    }
  } catch (error) {
    // Nest buffers logs until the app's logger is attached, so a start-up failure goes straight to stderr.
    Logger.flush();
    console.error(`Leakwatch start-up failed: ${describeStartFailure(error, config)}`);
    process.exit(1);
  }
}

/** A known cause in one line (what to do about it); anything else with its stack, for a bug report. */
function describeStartFailure(error: unknown, config: LeakwatchConfig): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${config.port} is already in use (set PORT to another port, or stop the other process)`;
  if (code === 'EACCES') return `not allowed to listen on port ${config.port} (use a port above 1023)`;
  if (code === 'EADDRNOTAVAIL') return `HOST ${config.host} is not an address of this machine`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
