/**
 * PostgreSQL adapter: the default (embedded) and a production event store.
 *
 * An append — to one stream or atomically to several — is one call of the `es_append` function (schema.ts):
 * one round trip. Appends to one stream are serialised by a transaction-scoped advisory lock taken *before*
 * the first write, so a later revision always gets a later transaction id — the all-stream order
 * (transaction_id, global_position) then keeps each stream in revision order. Concurrent appends to
 * different streams run in parallel. Committed appends wake subscribers through NOTIFY; polling covers the rest (a transaction
 * that ends without appending can also advance the visible horizon).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import {
  AllStreamFilter,
  AllStreamPage,
  AppendWithStatementResult,
  StatementInAppend,
  AppendOptions,
  AppendResult,
  EventStore,
  StreamAppend,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from '../event-store.port';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors';
import { assertValidAppend, assertValidMultiAppend, matchesFilter } from '../expected-revision';
import { GlobalPosition, START } from '../position';
import { ChangeSignal, startCatchUpSubscription } from '../subscription/catch-up-subscription';
import { SharedAllStreamReader, deepFreeze } from '../subscription/shared-all-stream-reader';
import { EVENTS_CHANNEL, EXPECTED_CODES, ensureEventStoreSchema } from './schema';

export interface PostgresEventStoreOptions {
  /** Poll interval of subscriptions when no NOTIFY arrives (ms). */
  pollIntervalMs?: number;
  /**
   * Events the shared all-stream reader keeps, per filter, for this store's subscriptions that have not reached
   * them yet (see SharedAllStreamReader). Unset or 0: every subscription reads on its own. The services pass
   * `LEAKWATCH_SHARED_READ_BUFFER` (default 5000).
   */
  sharedReadBuffer?: number;
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
/** The same columns for the page CTE, which keeps transaction_id itself so the outer ORDER BY sorts by xid8. */
const PAGE_COLUMNS = `global_position, transaction_id, stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at`;

export class PostgresEventStore implements EventStore {
  readonly atomicMultiStreamAppend = true;
  private listener?: Promise<Client>;
  /** Subscriptions' change listeners and what each reads: an append signals only those it concerns. */
  private readonly waiters = new Map<(position?: GlobalPosition) => void, AllStreamFilter | undefined>();
  /** Payload of this store's NOTIFYs, so the LISTEN connection can tell its own echo from other processes' appends. */
  private readonly instanceId = randomUUID();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private notifyTimer?: NodeJS.Timeout;
  /** One reader for all of this store's subscriptions: a page of new events is read and decoded once per filter. */
  readonly sharedReader?: SharedAllStreamReader;

  private constructor(private readonly pool: Pool, private readonly options: PostgresEventStoreOptions) {
    if (options.sharedReadBuffer) {
      this.sharedReader = new SharedAllStreamReader((o) => this.readAllPage(o), { maxBufferedEvents: options.sharedReadBuffer });
    }
  }

  /** Creates the schema if needed. The pool stays owned by the caller. */
  static async create(pool: Pool, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    await ensureEventStoreSchema(pool);
    return new PostgresEventStore(pool, options);
  }

  async appendToStream(streamId: string, events: NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    assertValidAppend(streamId, events.length, expectedRevision);
    return (await this.appendToStreams([{ streamId, events, expectedRevision }]))[0];
  }

  /** One statement, one round trip: the `es_append` (or `es_append_one`) function (schema.ts) locks, checks and inserts. */
  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    return (await this.append(appends)).results;
  }

  /** The same single statement through `es_append_then` / `es_append_one_then`: the statement runs inside it. */
  appendToStreamsWith(appends: StreamAppend[], statement: StatementInAppend): Promise<AppendWithStatementResult> {
    return this.append(appends, statement);
  }

  private async append(appends: StreamAppend[], statement?: StatementInAppend): Promise<AppendWithStatementResult> {
    assertValidMultiAppend(appends);
    const events = appends.flatMap((a, i) => a.events.map((event) => ({ event, stream: i + 1 })));
    const expected = (a: StreamAppend) => (typeof a.expectedRevision === 'number' ? a.expectedRevision : EXPECTED_CODES[a.expectedRevision]);
    type Outcome = { outcome: 'write' | 'repeat' | 'duplicate' | 'conflict'; revision: string; tx_id: string | null; last_position: string | null; then_value?: unknown };
    // With a statement: the *_then variants take it (text) and its parameter (jsonb) as two more arguments.
    const then = statement ? '_then' : '';
    const thenValues = statement ? [statement.sql, JSON.stringify(statement.param ?? null)] : [];
    // One event: es_append_one takes scalars (no array literals to build and parse); otherwise es_append.
    const single = appends.length === 1 && events.length === 1;
    const { rows } = await this.pool
      .query<Outcome>(
        single
          ? {
              name: `es_append_one${then}`,
              text: `SELECT * FROM es_append_one${then}($1, $2, $3, $4, $5, $6, $7${statement ? ', $8, $9::jsonb' : ''})`,
              values: [appends[0].streamId, expected(appends[0]), events[0].event.id, events[0].event.type, events[0].event.schemaVersion ?? 1,
                JSON.stringify(events[0].event.data ?? null), JSON.stringify(events[0].event.metadata ?? {}), ...thenValues],
            }
          : {
              name: `es_append${then}`,
              text: `SELECT * FROM es_append${then}($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[]${statement ? ', $9::text, $10::jsonb' : ''})`,
              values: [
                appends.map((a) => a.streamId),
                appends.map(expected),
                events.map((e) => e.stream),
                events.map((e) => e.event.id),
                events.map((e) => e.event.type),
                events.map((e) => e.event.schemaVersion ?? 1),
                events.map((e) => JSON.stringify(e.event.data ?? null)),
                events.map((e) => JSON.stringify(e.event.metadata ?? {})),
                ...thenValues,
              ],
            },
      )
      .catch(async (error: { code?: string; constraint?: string }) => {
        if (error.code !== '23505' || error.constraint !== 'es_events_event_id_key') throw error;
        // An id stored already: es_append_one's plain insert failed on it (a repeat of this very append with its
        // expected revision still current — retried with 'any', say — or an id of another stream); es_append
        // wrote part of a batch whose other ids were stored, then undid it; or another stream stored one of
        // these ids concurrently (our stream locks do not cover other streams).
        const ids = events.map((e) => e.event.id);
        const { rows: found } = await this.pool.query<{ event_id: string; stream_id: string; tx_id: string; gp: string; head: string }>(
          `SELECT e.event_id, e.stream_id, e.transaction_id::text AS tx_id, e.global_position AS gp,
                  (SELECT max(h.stream_revision) FROM es_events h WHERE h.stream_id = e.stream_id) AS head
             FROM es_events e WHERE e.event_id = ANY($1::uuid[])`,
          [ids],
        );
        if (single && found.length === 1 && found[0].stream_id === appends[0].streamId) {
          return { rows: [{ outcome: 'repeat' as const, revision: found[0].head, tx_id: found[0].tx_id, last_position: found[0].gp }] };
        }
        throw new DuplicateEventIdError(appends.map((a) => a.streamId).join(', '), found.length ? found.map((r) => r.event_id) : ids);
      });
    const duplicate = rows.findIndex((r) => r.outcome === 'duplicate');
    if (duplicate >= 0) {
      const ids = appends[duplicate].events.map((e) => e.id);
      const { rows: found } = await this.pool.query<{ event_id: string }>(`SELECT event_id FROM es_events WHERE event_id = ANY($1::uuid[])`, [ids]);
      throw new DuplicateEventIdError(appends[duplicate].streamId, found.map((r) => r.event_id));
    }
    const conflicts = rows
      .map((r, i) => ({ streamId: appends[i].streamId, expected: appends[i].expectedRevision, actual: Number(r.revision), outcome: r.outcome }))
      .filter((c) => c.outcome === 'conflict')
      .map(({ outcome: _o, ...c }) => c);
    if (conflicts.length) throw new WrongExpectedRevisionError(conflicts[0].streamId, conflicts[0].expected, conflicts[0].actual, conflicts);
    if (rows.some((r) => r.outcome === 'write')) {
      const written = rows.filter((r) => r.outcome === 'write');
      const last = written.reduce((max, r) => (BigInt(r.last_position ?? 0) > BigInt(max.last_position ?? 0) ? r : max), written[0]);
      this.announce(appends.filter((_, i) => rows[i].outcome === 'write'), { commit: BigInt(last.tx_id ?? 0), prepare: BigInt(last.last_position ?? 0) });
    }
    const results = rows.map((r) => ({
      nextExpectedRevision: Number(r.revision),
      position: { commit: BigInt(r.tx_id ?? 0), prepare: BigInt(r.last_position ?? 0) },
      written: r.outcome === 'write',
    }));
    // The statement ran exactly when every stream was written (the functions' rule).
    return statement && rows.every((r) => r.outcome === 'write') ? { results, statement: { value: (rows[0] as Outcome).then_value ?? null } } : { results };
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

  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const streams = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
    if (!streamIds.length) return streams;
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM es_events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_revision`,
      [[...new Set(streamIds)]],
    );
    for (const row of rows) streams.get(row.stream_id)?.push(toRecordedEvent(row));
    return streams;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.readAllPage(options)).events;
  }

  /**
   * One statement, so the page and the position reached share one visibility horizon: with a filter, the
   * page is the union of one index range scan per stream category (or event type), each already in
   * all-stream order; `position` is the last visible event when the page is not full.
   */
  async readAllPage(options: ReadAllOptions = {}): Promise<AllStreamPage> {
    const after = options.after ?? START;
    const values: unknown[] = [after.commit.toString(), after.prepare.toString(), options.maxCount ?? null];
    const param = (value: unknown) => `$${values.push(value)}`;
    // The horizon as a scalar subquery, not a join: then it bounds the index scan. Joined with `h` it was only a
    // filter, and while a big append was uncommitted every poll walked all of its rows (a 100,000-finding publish:
    // 536 reads, 43 million heap fetches, the publish itself starved from ~4 s to ~14 s).
    const range = `(transaction_id, global_position) > ($1::text::xid8, $2::bigint) AND transaction_id < (SELECT xmin FROM h)`;
    const branch = (condition: string) =>
      `(SELECT ${PAGE_COLUMNS} FROM es_events WHERE ${range}${condition} ORDER BY transaction_id, global_position LIMIT $3)`;
    const filter = options.filter;
    const types = filter?.streamCategories && filter.eventTypes ? ` AND event_type = ANY(${param([...filter.eventTypes])}::text[])` : '';
    const branches = filter?.streamCategories
      ? filter.streamCategories.map((category) => branch(` AND stream_category = ${param(category)}::text${types}`))
      : filter?.eventTypes
        ? filter.eventTypes.map((type) => branch(` AND event_type = ${param(type)}::text`))
        : [branch('')];
    const page = branches.length
      ? `SELECT * FROM (${branches.join(' UNION ALL ')}) u ORDER BY transaction_id, global_position LIMIT $3`
      : `SELECT ${PAGE_COLUMNS} FROM es_events WHERE false`;
    const text = `WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
            page AS MATERIALIZED (${page})
       SELECT false AS tail, page.*, page.transaction_id::text AS tx_id FROM page
       UNION ALL
       (SELECT true, e.global_position, e.transaction_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, e.transaction_id::text
          FROM es_events e WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < (SELECT xmin FROM h)
         ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1)`;
    // Prepared per query shape (the filter's size), so every poll of every subscriber is not planned again.
    const { rows } = await this.pool.query<EventRow & { tail: boolean }>({ name: `es_read_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values });
    const events = rows.filter((r) => !r.tail).map(toRecordedEvent);
    const tail = rows.find((r) => r.tail);
    const full = options.maxCount !== undefined && events.length >= options.maxCount;
    const position = full ? events[events.length - 1].position : tail ? toPosition(tail) : undefined;
    return { events, position };
  }

  /**
   * Wakes this process's subscribers at once, and other processes' through one NOTIFY per 20 ms at most, sent
   * after the append committed: a NOTIFY inside the append's transaction would take PostgreSQL's notify-queue
   * lock until its commit is flushed, serialising every concurrent append. Subscriptions also poll.
   */
  private announce(written: StreamAppend[], position: GlobalPosition): void {
    const appended = written.flatMap((a) => a.events.map((e) => ({ streamId: a.streamId, type: e.type })));
    this.waiters.forEach((filter, wake) => {
      if (!filter || appended.some((e) => matchesFilter(e, filter))) wake(position);
    });
    if (this.notifyTimer || this.closed) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      // The payload names this store: its own NOTIFY coming back wakes nobody (they were told above, precisely).
      if (!this.closed) void this.pool.query(`SELECT pg_notify($1, $2)`, [EVENTS_CHANNEL, this.instanceId]).catch(() => undefined);
    }, 20);
    this.notifyTimer.unref();
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    void this.ensureListener().catch(() => undefined); // polling still works without NOTIFY
    const member = this.sharedReader?.join(options.filter, options.batchSize ?? 500, options.after);
    const changes: ChangeSignal = {
      listen: (onChange) => {
        this.waiters.set(onChange, options.filter);
        // Called when the subscription ends for any reason (stopped, or its handler failed): it leaves the reader too.
        return () => {
          this.waiters.delete(onChange);
          member?.leave();
        };
      },
    };
    const subscription = startCatchUpSubscription(
      // Frozen either way: a handler that changes an event must fail the same whether it was shared or not.
      member ? (o, freshAfter) => member.read(o, freshAfter) : async (o) => { const page = await this.readAllPage(o); page.events.forEach(deepFreeze); return page; },
      changes,
      { pollIntervalMs: this.options.pollIntervalMs, ...options },
    );
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
    clearTimeout(this.notifyTimer);
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    if (this.listener) await (await this.listener.catch(() => undefined))?.end().catch(() => undefined);
  }

  private ensureListener(): Promise<Client> {
    if (!this.listener) {
      this.listener = (async () => {
        const client = new Client(this.pool.options);
        // Another process appended (it cannot say what here): every subscription looks. Our own echo is ignored.
        client.on('notification', (message) => message.payload !== this.instanceId && this.waiters.forEach((_, wake) => wake()));
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
