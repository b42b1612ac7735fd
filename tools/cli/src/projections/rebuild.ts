/**
 * Rebuilds one projection runner from position 0. Does what ProjectionRunner does for a live subscription —
 * same projections and filter, same `canHandle`/`applyPage`, same all-stream order, same checkpoint row, one
 * transaction per page, a poison event parked instead of stopping the replay. The tables and
 * checkpoint it leaves are the ones the live runner would have written (the projections are deterministic
 * and revision-guarded); a later `start()` of the live runner resumes from that checkpoint.
 */
import type { Pool } from 'pg';
import { comparePositions, encodePosition, GlobalPosition, RecordedEvent } from '@leakwatch/event-store';
import { ParkedEvents, applyToProjection, resetProjections, unionFilter } from '@leakwatch/projections';
import { CopyYardstick, copyYardstick } from './copy-yardstick';
import { EventSource } from './event-source';
import { RunnerDefinition, runnerTables } from './registry';
import { withTransaction } from '@leakwatch/pg';

export interface RebuildResult {
  runner: string;
  tables: string[];
  /** Events replayed: those the runner's projections read (their filter), read from the store in pages. */
  events: number;
  /** Projection applications (events × interested projections). */
  applied: number;
  /** Events that failed to apply and were parked (see `leakwatch events parked list`). */
  parked: number;
  duration_ms: number;
  events_per_second: number;
  checkpoint: string | null;
  /** With `copyYardstick`: the same events written by raw COPY, and rebuild rate ÷ COPY rate. */
  copy?: CopyYardstick & { ratio: number };
}

export interface RebuildOptions {
  batchSize?: number;
  /** Also time a raw COPY of the same events (copy-yardstick.ts) and report the ratio. */
  copyYardstick?: boolean;
  /** Called once with the number of events counted before the replay. */
  onStart?: (total: number) => void;
  /** Called after each committed page; `total` grows if events arrive during the replay. */
  onProgress?: (done: number, total: number) => void;
}

export async function rebuildRunner(pool: Pool, source: EventSource, runner: RunnerDefinition, options: RebuildOptions = {}): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 500;
  const filter = unionFilter(runner.projections);
  // Only the events the runner's projections read (a filtered read: other contexts' events stay in PostgreSQL).
  let total = await source.count(undefined, filter);
  options.onStart?.(total);
  const started = performance.now();
  await resetProjections(pool, runner.name, runner.projections);
  const parked = new ParkedEvents(pool);

  let after: GlobalPosition | undefined;
  let events = 0;
  let applied = 0;
  let parkedCount = 0;
  // The next page is read while this one is applied (the store read and the writes overlap: two connections).
  const read = (from: GlobalPosition | undefined) => {
    const pending = source.store.readAllPage({ after: from, maxCount: batchSize, filter });
    pending.catch(() => undefined); // awaited below; a failure while a page is being applied must not go unhandled
    return pending;
  };
  let next = read(undefined);
  for (;;) {
    const page = await next;
    if (!page.position || (after && comparePositions(page.position, after) <= 0)) break;
    next = read(page.position);
    const outcome = await applyPage(pool, parked, runner, page.events, page.position);
    applied += outcome.applied;
    parkedCount += outcome.parked;
    after = page.position;
    events += page.events.length;
    total = Math.max(total, events);
    options.onProgress?.(events, total);
  }
  const duration = performance.now() - started;
  const eventsPerSecond = duration > 0 ? Math.round((events / duration) * 1000) : 0;
  const copy = options.copyYardstick ? await copyYardstick(pool, source, filter, batchSize) : undefined;
  return {
    runner: runner.name,
    tables: runnerTables(runner),
    events,
    applied,
    parked: parkedCount,
    duration_ms: Math.round(duration),
    events_per_second: eventsPerSecond,
    checkpoint: after ? encodePosition(after) : null,
    ...(copy ? { copy: { ...copy, ratio: copy.events_per_second ? Math.round((eventsPerSecond / copy.events_per_second) * 100) / 100 : 0 } } : {}),
  };
}

/** One transaction per page (set-based where a projection can); a failing page is applied event by event, parking what fails. */
async function applyPage(pool: Pool, parked: ParkedEvents, runner: RunnerDefinition, page: RecordedEvent[], position: GlobalPosition): Promise<{ applied: number; parked: number }> {
  try {
    return await withTransaction(pool, async (client) => {
      let applied = 0;
      for (const projection of runner.projections) applied += await applyToProjection(projection, page, client);
      await saveCheckpoint(client, runner.name, position);
      return { applied, parked: 0 };
    });
  } catch {
    let applied = 0;
    let parkedCount = 0;
    for (const event of page) {
      await withTransaction(pool, async (client) => {
        await client.query('SAVEPOINT event');
        try {
          for (const projection of runner.projections) applied += await applyToProjection(projection, [event], client);
        } catch (error) {
          // The same dead letter the live runner writes: the rebuild goes on, `events parked list` shows it.
          await client.query('ROLLBACK TO SAVEPOINT event');
          await parked.park({ consumer: `projection:${runner.name}`, eventId: event.id, eventType: event.type, streamId: event.streamId, streamRevision: event.revision, position: encodePosition(event.position), error, attempts: 1 }, client);
          parkedCount++;
        }
        await saveCheckpoint(client, runner.name, event.position);
      });
    }
    await saveCheckpoint(pool, runner.name, position);
    return { applied, parked: parkedCount };
  }
}

// The same row the live runner moves (ProjectionRunner), in the same transaction as the rows.
function saveCheckpoint(db: Pick<Pool, 'query'>, name: string, position: GlobalPosition) {
  return db.query(
    `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
    [name, encodePosition(position)],
  );
}
