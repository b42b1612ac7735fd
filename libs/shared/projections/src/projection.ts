/**
 * A read-model projection: `filter` says which events it reads (evaluated by the event store, so a runner
 * never pages through other contexts' events), `canHandle` decides per event, and `apply` — or, set-based,
 * `applyPage` — writes the read model inside the transaction the runner opens for a page of events (which
 * also moves the checkpoint, so a crash never half-applies a page). Applying must be idempotent: rebuilding
 * from zero or replaying a duplicate gives the same tables.
 */
import type { PoolClient } from 'pg';
import type { AllStreamFilter, RecordedEvent } from '@leakwatch/event-store';

export interface Projection {
  /** Stable name (for logs and parked events). */
  name: string;
  /** Tables this projection owns (created by `setup`, emptied by a rebuild). */
  tables: string[];
  /** The events it may handle; absent = it must see every event. */
  filter?: AllStreamFilter;
  setup(client: PoolClient): Promise<void>;
  canHandle(event: RecordedEvent): boolean;
  apply(event: RecordedEvent, client: PoolClient): Promise<void>;
  /**
   * Applies a page of events it handles, in order, in one go (multi-row upserts). Must give the same rows as
   * `apply` on each event in turn. Absent = `apply` event by event.
   */
  applyPage?(events: RecordedEvent[], client: PoolClient): Promise<void>;
}

/** What a runner of these projections reads: the union of their filters (no filter if one has none). */
export function unionFilter(projections: Projection[]): AllStreamFilter | undefined {
  if (projections.some((p) => !p.filter)) return undefined;
  const filters = projections.map((p) => p.filter as AllStreamFilter);
  const categories = filters.some((f) => !f.streamCategories) ? undefined : [...new Set(filters.flatMap((f) => f.streamCategories ?? []))];
  const types = filters.some((f) => !f.eventTypes) ? undefined : [...new Set(filters.flatMap((f) => f.eventTypes ?? []))];
  if (!categories && !types) return undefined;
  return { ...(categories ? { streamCategories: categories } : {}), ...(types ? { eventTypes: types } : {}) };
}

/** Applies the events of a page that a projection handles, set-based when it can. */
export async function applyToProjection(projection: Projection, events: RecordedEvent[], client: PoolClient): Promise<number> {
  const mine = events.filter((e) => projection.canHandle(e));
  if (!mine.length) return 0;
  if (projection.applyPage) await projection.applyPage(mine, client);
  else for (const event of mine) await projection.apply(event, client);
  return mine.length;
}
