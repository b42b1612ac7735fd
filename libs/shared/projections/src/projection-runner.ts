/**
 * Feeds projections from the event store's all-stream, reading only what they handle (a filtered read) a
 * page at a time: each page is applied — set-based where a projection can — and the checkpoint moved in ONE
 * transaction, so restarts resume exactly where they stopped and a page that matched nothing still moves the
 * checkpoint. `waitFor(position)` lets a command handler answer only once its own write is visible in the
 * read model (read-your-writes), without coupling the write path to the tables.
 *
 * A page that fails is applied again event by event; an event that still fails after `maxAttempts` is
 * parked (parked_events, with the error, in the transaction that moves the checkpoint past it) and the
 * runner moves on. An operator's retry request re-applies the parked event's stream from that event on.
 */
import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import {
  AllStreamFilter,
  EventStore,
  GlobalPosition,
  RecordedEvent,
  Subscription,
  comparePositions,
  decodePosition,
  encodePosition,
} from '@leakwatch/event-store';
import { createSchemaOnce, withTransaction } from '@leakwatch/pg';
import { DEFAULT_MAX_ATTEMPTS, ParkedEvents } from './parked-events';
import { Projection, applyToProjection, unionFilter } from './projection';

/** A position reached through other contexts' events only is saved this long after the last one. */
const IDLE_SAVE_MS = 1000;

const CHECKPOINTS_SQL = `CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`;

export interface ProjectionRunnerOptions {
  /** Events per page (default 500). */
  batchSize?: number;
  /** Attempts on one event before it is parked (default 5). */
  maxAttempts?: number;
  /** How often retry requests of parked events are looked for (ms, default 2000). */
  retryPollMs?: number;
  /**
   * After a page that was not full, read again no sooner than this long after the previous read began (default
   * 20 ms; the store subscription's `coalesceMs`): events appended meanwhile are applied as one page (one
   * transaction, one checkpoint write) instead of one wakeup each; a wakeup meanwhile is remembered, not lost.
   * Waiters (`waitFor`) are answered as soon as their page is applied. 0 turns it off.
   */
  coalesceMs?: number;
}

export class ProjectionRunner {
  private readonly logger = new Logger('Projections');
  private subscription?: Subscription;
  private position?: GlobalPosition;
  private waiters: Array<{ target: GlobalPosition; resolve: () => void }> = [];
  private failure?: unknown;
  private retryTimer?: NodeJS.Timeout;
  private idleSave?: NodeJS.Timeout;
  readonly parked: ParkedEvents;
  readonly filter: AllStreamFilter | undefined;

  constructor(
    private readonly name: string,
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly projections: Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.parked = new ParkedEvents(pool);
    this.filter = unionFilter(projections);
  }

  async start(): Promise<void> {
    await createSchemaOnce(this.pool, 'leakwatch:projection-setup', async (client) => {
      await client.query(CHECKPOINTS_SQL);
      for (const projection of this.projections) await projection.setup(client);
    });
    await this.parked.ensureSchema();
    const { rows } = await this.pool.query<{ position: string }>(`SELECT position FROM projection_checkpoints WHERE name = $1`, [this.name]);
    this.position = rows.length ? decodePosition(rows[0].position) : undefined;
    this.subscription = this.store.subscribeToAll({
      after: this.position,
      filter: this.filter,
      batchSize: this.options.batchSize ?? 500,
      coalesceMs: this.options.coalesceMs ?? 20,
      onPage: (page) => this.applyPage(page.events, page.position),
      onError: (error) => {
        this.failure = error;
        this.logger.error(`projection ${this.name} stopped: ${error instanceof Error ? error.message : String(error)}`);
      },
    });
    this.scheduleRetries();
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.subscription?.stop();
    this.subscription = undefined;
    if (this.idleSave) {
      clearTimeout(this.idleSave);
      this.idleSave = undefined;
      if (this.position) await saveCheckpoint(this.pool, this.name, this.position).catch(() => undefined);
    }
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

  /** False only when the store subscription itself died; a poison event is parked, not fatal. */
  get healthy(): boolean {
    return this.failure === undefined;
  }

  get checkpoint(): GlobalPosition | undefined {
    return this.position;
  }

  private async applyPage(events: RecordedEvent[], position: GlobalPosition): Promise<void> {
    // Nothing of ours (other contexts' events moved the read position): no transaction, and the checkpoint is
    // saved once things go quiet — a restart re-reads at most those events, harmlessly.
    if (!events.some((e) => this.projections.some((p) => p.canHandle(e)))) {
      this.advance(position);
      this.saveWhenIdle(position);
      return;
    }
    clearTimeout(this.idleSave);
    try {
      await withTransaction(this.pool, async (client) => {
        for (const projection of this.projections) await applyToProjection(projection, events, client);
        await saveCheckpoint(client, this.name, position);
      });
    } catch (error) {
      if (!events.length) throw error; // only the checkpoint write failed: the store is down, not an event
      this.logger.warn(`projection ${this.name}: a page of ${events.length} events failed (${error instanceof Error ? error.message : String(error)}); applying one by one`);
      await this.handleOneByOne(events, position);
    }
    this.advance(position);
  }

  /** Isolates the failing event(s) of a page: each event in its own transaction, parked after maxAttempts. */
  private async handleOneByOne(events: RecordedEvent[], position: GlobalPosition): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    for (const event of events) {
      for (let attempt = 1; ; attempt++) {
        try {
          await withTransaction(this.pool, async (client) => {
            for (const projection of this.projections) await applyToProjection(projection, [event], client);
            await saveCheckpoint(client, this.name, event.position);
          });
          break;
        } catch (error) {
          if (attempt < maxAttempts) {
            await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
            continue;
          }
          this.logger.error(`projection ${this.name}: parked event ${event.id} (${event.type}, ${event.streamId}@${event.revision}) after ${attempt} attempts: ${error instanceof Error ? error.message : String(error)}`);
          await withTransaction(this.pool, async (client) => {
            await this.parked.park(
              { consumer: `projection:${this.name}`, eventId: event.id, eventType: event.type, streamId: event.streamId, streamRevision: event.revision, position: encodePosition(event.position), error, attempts: attempt },
              client,
            );
            await saveCheckpoint(client, this.name, event.position);
          });
          break;
        }
      }
      this.advance(event.position);
    }
    await saveCheckpoint(this.pool, this.name, position);
  }

  private saveWhenIdle(position: GlobalPosition): void {
    clearTimeout(this.idleSave);
    this.idleSave = setTimeout(() => void saveCheckpoint(this.pool, this.name, position).catch(() => undefined), IDLE_SAVE_MS);
    this.idleSave.unref();
  }

  private advance(position: GlobalPosition): void {
    this.position = position;
    const ready = this.waiters.filter((w) => comparePositions(position, w.target) >= 0);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    ready.forEach((w) => w.resolve());
  }

  private scheduleRetries(): void {
    this.retryTimer = setTimeout(() => {
      void this.retryParked()
        .catch((error) => this.logger.warn(`projection ${this.name}: retrying parked events failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.subscription && this.scheduleRetries());
    }, this.options.retryPollMs ?? 2000);
    this.retryTimer.unref();
  }

  /**
   * An operator asked to retry parked events: re-apply each one's stream from the parked event on (later
   * events of that stream may have been no-ops without it; projections are revision-guarded, so replaying
   * them is harmless). Success removes the parked row; failure parks it again with the new error.
   */
  async retryParked(): Promise<number> {
    const consumer = `projection:${this.name}`;
    let resolved = 0;
    for (const parked of await this.parked.retryRequests(consumer)) {
      try {
        const events = parked.stream_id ? await this.store.readStream(parked.stream_id, { fromRevision: parked.stream_revision ?? 0 }) : [];
        await withTransaction(this.pool, async (client) => {
          for (const projection of this.projections) await applyToProjection(projection, events, client);
          await this.parked.resolve(consumer, parked.event_id, client);
        });
        resolved++;
        this.logger.log(`projection ${this.name}: parked event ${parked.event_id} applied on retry`);
      } catch (error) {
        await this.parked.park({ consumer, eventId: parked.event_id, eventType: parked.event_type, streamId: parked.stream_id ?? undefined, streamRevision: parked.stream_revision ?? undefined, position: parked.position ?? undefined, error, attempts: 1 });
      }
    }
    return resolved;
  }
}

/**
 * Also turns `synchronous_commit` off for the transaction it runs in (a page's, or its own): a runner's rows and
 * its checkpoint are derived from events that are durable already and commit together, and the WAL is written in
 * order, so a crash can only lose the last such commits whole — rows and checkpoint alike — and the runner reads
 * those events again on restart. Skipping the flush wait per page keeps the runners off the disk's fsync queue,
 * which the appends (always synchronous) and the decisions' answers wait on.
 */
function saveCheckpoint(db: Pick<PoolClient, 'query'>, name: string, position: GlobalPosition): Promise<unknown> {
  return db.query(
    `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
     INSERT INTO projection_checkpoints (name, position, updated_at) SELECT $1, $2, now() FROM relaxed
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
    [name, encodePosition(position)],
  );
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
