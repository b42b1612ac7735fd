/**
 * The organisation-wide audit log: the history events of every leak the caller may see, in the store's
 * all-stream order (the order they were recorded), read page by page through the event store port (so it works
 * with every adapter) and filtered by the caller's visibility one page at a time (one read-model query per page).
 * Global roles see every leak; org roles only leaks visible to them now — never another organisation's.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Caller, isGlobalRole, leakVisibleSql } from '@leakwatch/authz';
import { historyData } from './history-data';
import { EVENT_STORE, EventStore, GlobalPosition, RecordedEvent } from '@leakwatch/event-store';
import { PG_POOL } from '@leakwatch/runtime';

export interface AuditEventsFilter {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  type?: string;
}

export interface AuditEvent {
  leakid: string;
  revision: number;
  type: string;
  time: string;
  recorded_at: string;
  actor: unknown;
  data: unknown;
}

const PAGE = 500;

@Injectable()
export class AuditEventsQuery {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async *pages(caller: Caller, filter: AuditEventsFilter): AsyncGenerator<AuditEvent[]> {
    let after: GlobalPosition | undefined;
    for (;;) {
      const page = await this.store.readAllPage({
        after,
        maxCount: PAGE,
        filter: { streamCategories: ['leak'], ...(filter.type ? { eventTypes: [filter.type] } : {}) },
      });
      const inRange = page.events.filter((e) => e.streamId.startsWith('leak-') && within(eventTime(e), filter));
      const visible = await this.visibleLeakIds(caller, [...new Set(inRange.map(leakIdOf))]);
      const events = inRange.filter((e) => visible.has(leakIdOf(e))).map(toAuditEvent);
      if (events.length) yield events;
      if (page.events.length < PAGE || !page.position) return;
      after = page.position;
    }
  }

  private async visibleLeakIds(caller: Caller, leakids: string[]): Promise<Set<string>> {
    if (!leakids.length) return new Set();
    if (isGlobalRole(caller.role)) return new Set(leakids);
    const params: unknown[] = [leakids];
    const p = (value: unknown) => `$${params.push(value)}`;
    const { rows } = await this.pool.query<{ leakid: string }>(`SELECT leakid FROM ll_leaks WHERE leakid = ANY($1::text[]) AND ${leakVisibleSql(caller, p)}`, params);
    return new Set(rows.map((r) => r.leakid));
  }
}

const leakIdOf = (e: RecordedEvent) => e.streamId.slice('leak-'.length);

function eventTime(e: RecordedEvent): string {
  return (e.metadata.occurred_at as string | undefined) ?? e.recordedAt.toISOString();
}

function within(time: string, filter: AuditEventsFilter): boolean {
  const at = Date.parse(time);
  return (!filter.from || at >= filter.from.getTime()) && (!filter.to || at < filter.to.getTime());
}

function toAuditEvent(e: RecordedEvent): AuditEvent {
  return {
    leakid: leakIdOf(e),
    revision: e.revision,
    type: e.type,
    time: eventTime(e),
    recorded_at: e.recordedAt.toISOString(),
    actor: e.metadata.actor ?? null,
    // Old LeakDetected events still hold a password's plain hash: shown upcast, as in a leak's history.
    data: historyData(e),
  };
}
