/**
 * Feeds projections from the event store's all-stream subscription. Each event is applied and the
 * checkpoint advanced in ONE transaction, so restarts resume exactly where they stopped.
 * `waitFor(position)` lets a command handler answer only once its own write is visible in the read model
 * (read-your-writes for the HTTP client), without coupling the write path to the tables.
 */
import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import {
  EventStore,
  GlobalPosition,
  RecordedEvent,
  Subscription,
  comparePositions,
  decodePosition,
  encodePosition,
} from '@leakwatch/event-store';
import { createSchemaOnce, withTransaction } from '@leakwatch/pg';
import { Projection } from './projection';

/** Events no projection of the runner handles, passed over between two checkpoint saves. */
const SKIPPED_PER_CHECKPOINT = 500;
const IDLE_SAVE_MS = 1000;

const CHECKPOINTS_SQL = `CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`;

export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  private subscription?: Subscription;
  private position?: GlobalPosition;
  private waiters: Array<{ target: GlobalPosition; resolve: () => void }> = [];
  private failure?: unknown;
  private skippedSinceSave = 0;
  private idleSave?: NodeJS.Timeout;

  constructor(
    private readonly name: string,
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly projections: Projection[],
  ) {}

  async start(): Promise<void> {
    await createSchemaOnce(this.pool, 'leakwatch:projection-setup', async (client) => {
      await client.query(CHECKPOINTS_SQL);
      for (const projection of this.projections) await projection.setup(client);
    });
    const { rows } = await this.pool.query<{ position: string }>(`SELECT position FROM projection_checkpoints WHERE name = $1`, [this.name]);
    this.position = rows.length ? decodePosition(rows[0].position) : undefined;
    this.subscription = this.store.subscribeToAll({
      after: this.position,
      onEvent: (event) => this.handle(event),
      onError: (error) => {
        this.failure = error;
        this.logger.error(`projection ${this.name} stopped: ${error instanceof Error ? error.message : String(error)}`);
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
    clearTimeout(this.idleSave);
    // Passed-over events since the last save: record them, so a clean restart does not read them again.
    if (this.skippedSinceSave > 0 && this.position) await this.saveCheckpoint(this.pool, this.position).catch(() => undefined);
  }


  /** Resolves once every event up to `target` is applied (or after `timeoutMs`, returning false). */
  waitFor(target: GlobalPosition, timeoutMs = 5000): Promise<boolean> {
    if (this.position && comparePositions(this.position, target) >= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = { target, resolve: () => (clearTimeout(timer), resolve(true)) };
      this.waiters.push(waiter);
    });
  }

  get healthy(): boolean {
    return this.failure === undefined;
  }

  get checkpoint(): GlobalPosition | undefined {
    return this.position;
  }

  private async handle(event: RecordedEvent): Promise<void> {
    const interested = this.projections.filter((p) => p.canHandle(event));
    if (interested.length === 0) {
      // Most of the all-stream is other contexts' events: pass over them without a transaction each, and
      // save the checkpoint only now and then (a restart re-reads at most that many events, harmlessly).
      if (++this.skippedSinceSave >= SKIPPED_PER_CHECKPOINT) await this.saveCheckpoint(this.pool, event.position);
      else this.saveWhenIdle();
    } else {
      await withTransaction(this.pool, async (client) => {
        for (const projection of interested) await projection.apply(event, client);
        await this.saveCheckpoint(client, event.position);
      });
    }
    this.position = event.position;
    const ready = this.waiters.filter((w) => comparePositions(event.position, w.target) >= 0);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    ready.forEach((w) => w.resolve());
  }

  /** Once the stream goes quiet, record the passed-over events too (so `lag` reads 0 when caught up). */
  private saveWhenIdle(): void {
    clearTimeout(this.idleSave);
    this.idleSave = setTimeout(() => {
      if (this.skippedSinceSave > 0 && this.position) void this.saveCheckpoint(this.pool, this.position).catch(() => undefined);
    }, IDLE_SAVE_MS);
    this.idleSave.unref();
  }

  private async saveCheckpoint(db: Pick<PoolClient, 'query'>, position: GlobalPosition): Promise<void> {
    clearTimeout(this.idleSave);
    await db.query(
      `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
      [this.name, encodePosition(position)],
    );
    this.skippedSinceSave = 0;
  }

}

/** Empties a runner's tables and checkpoint so the next start replays from position 0. */
export function resetProjections(pool: Pool, runnerName: string, projections: Projection[]): Promise<void> {
  return withTransaction(pool, async (client) => {
    await client.query(CHECKPOINTS_SQL);
    for (const projection of projections) {
      await projection.setup(client);
      for (const table of projection.tables) await client.query(`TRUNCATE ${table}`);
    }
    await client.query(`DELETE FROM projection_checkpoints WHERE name = $1`, [runnerName]);
  });
}
