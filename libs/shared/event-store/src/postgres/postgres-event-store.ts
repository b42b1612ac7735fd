/**
 * PostgreSQL adapter: the default (embedded) and a production event store.
 *
 * Appends to one stream are serialised by a transaction-scoped advisory lock taken *before* the first write,
 * so a later revision always gets a later transaction id — the all-stream order (transaction_id,
 * global_position) then keeps each stream in revision order. Concurrent appends to different streams run
 * in parallel. Committed appends wake subscribers through NOTIFY; polling covers the rest (a transaction
 * that ends without appending can also advance the visible horizon).
 */
import { Client, Pool, PoolClient } from 'pg';
import { withTransaction } from '@leakwatch/pg';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from '../event-store.port';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors';
import { assertValidAppend, matchesExpectedRevision } from '../expected-revision';
import { START } from '../position';
import { ChangeSignal, delay, startCatchUpSubscription } from '../subscription/catch-up-subscription';
import { EVENTS_CHANNEL, ensureEventStoreSchema } from './schema';

export interface PostgresEventStoreOptions {
  /** Poll interval of subscriptions when no NOTIFY arrives (ms). */
  pollIntervalMs?: number;
}

interface EventRow {
  global_position: string;
  /** xid8 as text (aliased so ORDER BY uses the xid8 column, never its text form). */
  tx_id: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

const SELECT_COLUMNS = `global_position, transaction_id::text AS tx_id, stream_id, stream_revision, event_id,
  event_type, schema_version, data, metadata, recorded_at`;

export class PostgresEventStore implements EventStore {
  private listener?: Promise<Client>;
  private readonly waiters = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  private constructor(private readonly pool: Pool, private readonly options: PostgresEventStoreOptions) {}

  /** Creates the schema if needed. The pool stays owned by the caller. */
  static async create(pool: Pool, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    await ensureEventStoreSchema(pool);
    return new PostgresEventStore(pool, options);
  }

  async appendToStream(streamId: string, events: NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    assertValidAppend(streamId, events.length, expectedRevision);
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7237))`, [streamId]);

      const ids = events.map((e) => e.id);
      const existing = await client.query<EventRow>(
        `SELECT ${SELECT_COLUMNS} FROM es_events WHERE event_id = ANY($1::uuid[]) ORDER BY stream_revision`,
        [ids],
      );
      const current = await this.currentRevision(client, streamId);
      if (existing.rowCount === events.length && existing.rows.every((r) => r.stream_id === streamId)) {
        const last = existing.rows[existing.rows.length - 1];
        return { nextExpectedRevision: current, position: toPosition(last), written: false };
      }
      if (existing.rows.length > 0) throw new DuplicateEventIdError(streamId, existing.rows.map((r) => r.event_id));
      if (!matchesExpectedRevision(expectedRevision, current)) {
        throw new WrongExpectedRevisionError(streamId, expectedRevision, current);
      }

      const inserted = await client.query<{ global_position: string; tx_id: string }>(
        `INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata)
         SELECT $1, r, id, t, v, d, m
           FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[]) AS x(r, id, t, v, d, m)
         RETURNING global_position, transaction_id::text AS tx_id`,
        [
          streamId,
          events.map((_, i) => current + 1 + i),
          ids,
          events.map((e) => e.type),
          events.map((e) => e.schemaVersion ?? 1),
          events.map((e) => JSON.stringify(e.data ?? null)),
          events.map((e) => JSON.stringify(e.metadata ?? {})),
        ],
      ).catch((error: { code?: string; constraint?: string }) => {
        // Another stream stored one of these ids concurrently (our stream lock does not cover other streams).
        if (error.code === '23505' && error.constraint === 'es_events_event_id_key') {
          throw new DuplicateEventIdError(streamId, ids);
        }
        throw error;
      });
      const next = current + events.length;
      await client.query(
        `INSERT INTO es_streams (stream_id, revision) VALUES ($1, $2)
         ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision`,
        [streamId, next],
      );
      await client.query(`SELECT pg_notify($1, '')`, [EVENTS_CHANNEL]);
      const last = inserted.rows.reduce((a, b) => (BigInt(a.global_position) > BigInt(b.global_position) ? a : b));
      return { nextExpectedRevision: next, position: toPosition(last), written: true };
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM es_events
        WHERE stream_id = $1 AND stream_revision ${backwards ? '<=' : '>='} $2
        ORDER BY stream_revision ${backwards ? 'DESC' : 'ASC'}
        LIMIT $3`,
      [streamId, from, options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? START;
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM es_events
        WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id, global_position
        LIMIT $3`,
      [after.commit.toString(), after.prepare.toString(), options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    void this.ensureListener().catch(() => undefined); // polling still works without NOTIFY
    const changes: ChangeSignal = {
      wait: (timeoutMs, abort) => {
        const inner = new AbortController();
        const wake = () => inner.abort();
        this.waiters.add(wake);
        abort.addEventListener('abort', wake, { once: true });
        return delay(timeoutMs, inner.signal).finally(() => {
          this.waiters.delete(wake);
          abort.removeEventListener('abort', wake);
        });
      },
    };
    const subscription = startCatchUpSubscription((o) => this.readAll(o), changes, {
      pollIntervalMs: this.options.pollIntervalMs,
      ...options,
    });
    this.subscriptions.add(subscription);
    return {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await subscription.stop();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    if (this.listener) await (await this.listener.catch(() => undefined))?.end().catch(() => undefined);
  }

  private ensureListener(): Promise<Client> {
    if (!this.listener) {
      this.listener = (async () => {
        const client = new Client(this.pool.options);
        client.on('notification', () => this.waiters.forEach((wake) => wake()));
        client.on('error', () => {
          // Lost the LISTEN connection: subscriptions fall back to polling; reconnect on next subscribe.
          this.listener = undefined;
        });
        await client.connect();
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        if (this.closed) await client.end();
        return client;
      })();
      this.listener.catch(() => (this.listener = undefined));
    }
    return this.listener;
  }

  private async currentRevision(client: PoolClient, streamId: string): Promise<number> {
    const { rows } = await client.query<{ revision: string }>(`SELECT revision FROM es_streams WHERE stream_id = $1`, [streamId]);
    return rows.length ? Number(rows[0].revision) : -1;
  }
}

function toPosition(row: { tx_id: string; global_position: string }) {
  return { commit: BigInt(row.tx_id), prepare: BigInt(row.global_position) };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    revision: Number(row.stream_revision),
    position: toPosition(row),
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}
