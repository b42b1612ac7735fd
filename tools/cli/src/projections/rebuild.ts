/**
 * Rebuilds one projection runner from position 0. Does what ProjectionRunner does for a live subscription —
 * same projections, same `canHandle`/`apply`, same all-stream order, same checkpoint row — but one
 * transaction per page of events instead of per event, which is what makes a replay fast. The tables and
 * checkpoint it leaves are the ones the live runner would have written (the projections are deterministic
 * and revision-guarded); a later `start()` of the live runner resumes from that checkpoint.
 */
import type { Pool } from 'pg';
import { encodePosition, GlobalPosition, RecordedEvent } from '@leakwatch/event-store';
import { resetProjections } from '@leakwatch/projections';
import { EventSource } from './event-source';
import { RunnerDefinition, runnerTables } from './registry';
import { withTransaction } from '@leakwatch/pg';

export interface RebuildResult {
  runner: string;
  tables: string[];
  /** Events replayed (every event of the store, whether or not a projection of this runner handles it). */
  events: number;
  /** Projection applications (events × interested projections). */
  applied: number;
  duration_ms: number;
  events_per_second: number;
  checkpoint: string | null;
}

export interface RebuildOptions {
  batchSize?: number;
  /** Called once with the number of events counted before the replay. */
  onStart?: (total: number) => void;
  /** Called after each committed page; `total` grows if events arrive during the replay. */
  onProgress?: (done: number, total: number) => void;
}

export async function rebuildRunner(pool: Pool, source: EventSource, runner: RunnerDefinition, options: RebuildOptions = {}): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 500;
  let total = await source.count();
  options.onStart?.(total);
  const started = performance.now();
  await resetProjections(pool, runner.name, runner.projections);

  let after: GlobalPosition | undefined;
  let events = 0;
  let applied = 0;
  for (;;) {
    const page = await source.store.readAll({ after, maxCount: batchSize });
    if (!page.length) break;
    applied += await applyPage(pool, runner, page);
    after = page[page.length - 1].position;
    events += page.length;
    total = Math.max(total, events);
    options.onProgress?.(events, total);
  }
  const duration = performance.now() - started;
  return {
    runner: runner.name,
    tables: runnerTables(runner),
    events,
    applied,
    duration_ms: Math.round(duration),
    events_per_second: duration > 0 ? Math.round((events / duration) * 1000) : 0,
    checkpoint: after ? encodePosition(after) : null,
  };
}

async function applyPage(pool: Pool, runner: RunnerDefinition, page: RecordedEvent[]): Promise<number> {
  return withTransaction(pool, async (client) => {
    let applied = 0;
    for (const event of page) {
      for (const projection of runner.projections) {
        if (!projection.canHandle(event)) continue;
        try {
          await projection.apply(event, client);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`projection ${projection.name} failed on event ${event.id} (${event.type}, ${event.streamId} revision ${event.revision}): ${reason}`);
        }
        applied++;
      }
    }
    // The same row the live runner moves (ProjectionRunner), in the same transaction as the rows.
    await client.query(
      `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
      [runner.name, encodePosition(page[page.length - 1].position)],
    );
    return applied;
  });
}
