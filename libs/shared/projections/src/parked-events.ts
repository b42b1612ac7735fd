/**
 * Parked events (a dead-letter table): an event a consumer — projection runner or bus consumer group — could
 * not handle after a bounded number of attempts is recorded here with its error, and the consumer moves on, so
 * one poison event never stops a read model or a group for everybody. An operator lists them and asks for a
 * retry (the live consumer picks the request up) or skips them (`leakwatch events parked list|retry|skip`).
 */
import type { Pool, PoolClient } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';

export const PARKED_EVENTS_SQL = `
CREATE TABLE IF NOT EXISTS parked_events (
  consumer text NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  stream_id text,
  stream_revision bigint,
  position text,
  -- What a bus consumer needs to handle the event again (the integration event as delivered).
  payload jsonb,
  error text NOT NULL,
  attempts integer NOT NULL,
  state text NOT NULL DEFAULT 'parked' CHECK (state IN ('parked', 'retry', 'skipped')),
  parked_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);`;

export type ParkedState = 'parked' | 'retry' | 'skipped';

export interface ParkedEvent {
  consumer: string;
  event_id: string;
  event_type: string;
  stream_id: string | null;
  stream_revision: number | null;
  position: string | null;
  payload: unknown;
  error: string;
  attempts: number;
  state: ParkedState;
  parked_at: Date;
  updated_at: Date;
}

export interface ParkRequest {
  consumer: string;
  eventId: string;
  eventType: string;
  streamId?: string;
  streamRevision?: number;
  position?: string;
  payload?: unknown;
  error: unknown;
  attempts: number;
}

/** Attempts before an event is parked (the first try included). */
export const DEFAULT_MAX_ATTEMPTS = 5;

export function describeFailure(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
}

export class ParkedEvents {
  private ready?: Promise<void>;

  constructor(private readonly pool: Pool) {}

  ensureSchema(): Promise<void> {
    this.ready ??= createSchemaOnce(this.pool, 'leakwatch:parked-events', PARKED_EVENTS_SQL).catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** Records (or re-records, after a failed retry) an event as parked. `db` lets a caller park inside its own transaction. */
  async park(request: ParkRequest, db: Pick<PoolClient, 'query'> = this.pool): Promise<void> {
    await this.ensureSchema();
    await db.query(
      `INSERT INTO parked_events (consumer, event_id, event_type, stream_id, stream_revision, position, payload, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (consumer, event_id) DO UPDATE SET error = EXCLUDED.error, attempts = parked_events.attempts + EXCLUDED.attempts,
         state = 'parked', updated_at = now()`,
      [
        request.consumer, request.eventId, request.eventType, request.streamId ?? null, request.streamRevision ?? null, request.position ?? null,
        request.payload === undefined ? null : JSON.stringify(request.payload), describeFailure(request.error), request.attempts,
      ],
    );
  }

  async list(options: { consumer?: string; states?: ParkedState[] } = {}): Promise<ParkedEvent[]> {
    await this.ensureSchema();
    const { rows } = await this.pool.query<ParkedEvent & { stream_revision: string | null }>(
      `SELECT * FROM parked_events WHERE ($1::text IS NULL OR consumer = $1) AND state = ANY($2::text[]) ORDER BY parked_at, consumer, event_id`,
      [options.consumer ?? null, options.states ?? ['parked', 'retry']],
    );
    return rows.map((r) => ({ ...r, stream_revision: r.stream_revision === null ? null : Number(r.stream_revision) }));
  }

  /** Parked (not skipped) events per consumer: what /health and /metrics show. */
  async counts(): Promise<Record<string, number>> {
    await this.ensureSchema();
    const { rows } = await this.pool.query<{ consumer: string; n: string }>(
      `SELECT consumer, count(*) AS n FROM parked_events WHERE state <> 'skipped' GROUP BY consumer ORDER BY consumer`,
    );
    return Object.fromEntries(rows.map((r) => [r.consumer, Number(r.n)]));
  }

  /** Marks parked events for a retry by their live consumer; returns how many were marked. */
  async requestRetry(consumer: string | undefined, eventIds: string[] | 'all'): Promise<number> {
    return this.setState(consumer, eventIds, 'retry', ['parked']);
  }

  /** The operator gives up on these events: kept for the record, no longer counted. */
  async skip(consumer: string | undefined, eventIds: string[] | 'all'): Promise<number> {
    return this.setState(consumer, eventIds, 'skipped', ['parked', 'retry']);
  }

  /** The retry requests of one consumer, oldest first. */
  async retryRequests(consumer: string, limit = 100): Promise<ParkedEvent[]> {
    await this.ensureSchema();
    const { rows } = await this.pool.query<ParkedEvent>(
      `SELECT * FROM parked_events WHERE consumer = $1 AND state = 'retry' ORDER BY parked_at LIMIT $2`,
      [consumer, limit],
    );
    return rows.map((r) => ({ ...r, stream_revision: r.stream_revision === null ? null : Number(r.stream_revision) }));
  }

  /** A retried event went through: it is no longer parked. */
  async resolve(consumer: string, eventId: string, db: Pick<PoolClient, 'query'> = this.pool): Promise<void> {
    await db.query(`DELETE FROM parked_events WHERE consumer = $1 AND event_id = $2`, [consumer, eventId]);
  }

  private async setState(consumer: string | undefined, eventIds: string[] | 'all', state: ParkedState, from: ParkedState[]): Promise<number> {
    await this.ensureSchema();
    const result = await this.pool.query(
      `UPDATE parked_events SET state = $3, updated_at = now()
        WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text[] IS NULL OR event_id = ANY($2::text[])) AND state = ANY($4::text[])`,
      [consumer ?? null, eventIds === 'all' ? null : eventIds, state, from],
    );
    return result.rowCount ?? 0;
  }
}
