/**
 * Process entry used by every app's main.ts: load config, start embedded PostgreSQL when no DATABASE_URL
 * is given, build the app, listen, and shut down cleanly (app first, then the database) on SIGINT/SIGTERM.
 */
import { INestApplication, Logger } from '@nestjs/common';
import { ConfigError, LeakwatchConfig, loadConfig } from '../config/leakwatch-config';
import { PostgresServer } from '@leakwatch/postgres-server';
import { LeakwatchTarget } from './app-module';
import { createLeakwatchApp } from './create-app';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface RunningLeakwatch {
  app: INestApplication;
  url: string;
  stop(): Promise<void>;
}

export async function startLeakwatch(target: LeakwatchTarget, config: LeakwatchConfig): Promise<RunningLeakwatch> {
  let embedded: PostgresServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const started = await startEmbeddedPostgres(config.dataDir);
    embedded = started.server;
    databaseUrl = started.url;
  }
  try {
    const app = await createLeakwatchApp(target, { ...config, databaseUrl });
    await app.listen(config.port, process.env.HOST ?? '0.0.0.0');
    const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
    let stopping: Promise<void> | undefined;
    return {
      app,
      url,
      stop: () =>
        (stopping ??= (async () => {
          await app.close();
          await embedded?.stop();
        })()),
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

export async function runLeakwatch(target: LeakwatchTarget): Promise<void> {
  const logger = new Logger('Leakwatch');
  let config: LeakwatchConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
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
    console.error(`Leakwatch start-up failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  }
}
