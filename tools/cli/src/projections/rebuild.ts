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
  /** Runners rebuilt in the same pass over the store (they read the same events); `duration_ms` is the pass's. */
  shared_with?: string[];
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

export interface RebuildPass {
  /** Per runner: its events, applications, parked events and checkpoint; `duration_ms` is the shared pass's. */
  results: RebuildResult[];
  /** Wall time of every pass (each runner once), and events replayed (summed over runners) per second of it. */
  duration_ms: number;
  events: number;
  events_per_second: number;
  /** With `copyYardstick`: the same reads, every runner's events written by a raw COPY; rebuild rate ÷ COPY rate. */
  copy?: CopyYardstick & { ratio: number };
}

export interface RebuildPassOptions extends Omit<RebuildOptions, 'onStart' | 'onProgress'> {
  onStart?: (runner: RunnerDefinition, total: number) => void;
  onProgress?: (runner: RunnerDefinition, done: number, total: number) => void;
}

/**
 * Rebuilds several runners. Runners that read the same events (the same filter: most read the leak streams)
 * share one pass over the store — each page read once, then applied by each of them in its own transaction
 * (concurrently, one connection each) — so `rebuild --all` reads the leak history once, not once per runner.
 * Every runner ends exactly as a rebuild of it alone would leave it (same pages' events, same checkpoint rule).
 */
export async function rebuildRunners(pool: Pool, source: EventSource, runners: RunnerDefinition[], options: RebuildPassOptions = {}): Promise<RebuildPass> {
  const groups = new Map<string, RunnerDefinition[]>();
  for (const runner of runners) {
    const key = JSON.stringify(unionFilter(runner.projections) ?? null);
    groups.set(key, [...(groups.get(key) ?? []), runner]);
  }
  const results: RebuildResult[] = [];
  let duration = 0;
  let copy: CopyYardstick | undefined;
  for (const group of groups.values()) {
    const pass = await rebuildGroup(pool, source, group, options);
    results.push(...pass.results);
    duration += pass.durationMs;
    if (pass.copy) copy = { events: (copy?.events ?? 0) + pass.copy.events, duration_ms: (copy?.duration_ms ?? 0) + pass.copy.duration_ms, events_per_second: 0 };
  }
  // Results in the order the runners were named.
  results.sort((a, b) => runners.findIndex((r) => r.name === a.runner) - runners.findIndex((r) => r.name === b.runner));
  const events = results.reduce((n, r) => n + r.events, 0);
  const rate = (n: number, ms: number) => (ms > 0 ? Math.round((n / ms) * 1000) : 0);
  const eventsPerSecond = rate(events, duration);
  if (copy) copy.events_per_second = rate(copy.events, copy.duration_ms);
  return {
    results,
    duration_ms: Math.round(duration),
    events,
    events_per_second: eventsPerSecond,
    ...(copy ? { copy: { ...copy, ratio: copy.events_per_second ? Math.round((eventsPerSecond / copy.events_per_second) * 100) / 100 : 0 } } : {}),
  };
}

/** One runner alone (a group of one). */
export async function rebuildRunner(pool: Pool, source: EventSource, runner: RunnerDefinition, options: RebuildOptions = {}): Promise<RebuildResult> {
  const pass = await rebuildGroup(pool, source, [runner], {
    ...options,
    onStart: options.onStart && ((_, total) => options.onStart?.(total)),
    onProgress: options.onProgress && ((_, done, total) => options.onProgress?.(done, total)),
  });
  const [result] = pass.results;
  return pass.copy ? { ...result, copy: { ...pass.copy, ratio: pass.copy.events_per_second ? Math.round((result.events_per_second / pass.copy.events_per_second) * 100) / 100 : 0 } } : result;
}

async function rebuildGroup(
  pool: Pool,
  source: EventSource,
  runners: RunnerDefinition[],
  options: RebuildPassOptions,
): Promise<{ results: RebuildResult[]; durationMs: number; copy?: CopyYardstick }> {
  const batchSize = options.batchSize ?? 500;
  const filter = unionFilter(runners[0].projections);
  // Only the events the runners' projections read (a filtered read: other contexts' events stay in PostgreSQL).
  const totals = new Map<string, number>();
  const initial = await source.count(undefined, filter);
  for (const runner of runners) {
    totals.set(runner.name, initial);
    options.onStart?.(runner, initial);
  }
  const started = performance.now();
  for (const runner of runners) await resetProjections(pool, runner.name, runner.projections);
  const parked = new ParkedEvents(pool);
  const tally = new Map(runners.map((r) => [r.name, { applied: 0, parked: 0 }]));

  let after: GlobalPosition | undefined;
  let events = 0;
  // The next page is read while this one is applied (the store read and the writes overlap on their own connections).
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
    const position = page.position;
    await Promise.all(
      runners.map(async (runner) => {
        const outcome = await applyPage(pool, parked, runner, page.events, position);
        const t = tally.get(runner.name) as { applied: number; parked: number };
        t.applied += outcome.applied;
        t.parked += outcome.parked;
      }),
    );
    after = page.position;
    events += page.events.length;
    for (const runner of runners) {
      const total = Math.max(totals.get(runner.name) ?? 0, events);
      totals.set(runner.name, total);
      options.onProgress?.(runner, events, total);
    }
  }
  const duration = performance.now() - started;
  const copy = options.copyYardstick ? await copyYardstick(pool, source, filter, batchSize, runners.length) : undefined;
  const results = runners.map((runner) => ({
    runner: runner.name,
    tables: runnerTables(runner),
    events,
    applied: tally.get(runner.name)?.applied ?? 0,
    parked: tally.get(runner.name)?.parked ?? 0,
    duration_ms: Math.round(duration),
    events_per_second: duration > 0 ? Math.round((events / duration) * 1000) : 0,
    checkpoint: after ? encodePosition(after) : null,
    ...(runners.length > 1 ? { shared_with: runners.filter((r) => r !== runner).map((r) => r.name) } : {}),
  }));
  return { results, durationMs: duration, copy };
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
