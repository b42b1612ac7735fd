/**
 * Makes accepted findings durable, all or nothing: `FindingReceived` events on batch streams
 * (`finding-<batch>-<n>`, 1000 each, routed by each event's leakid), which the relay/bus delivers to
 * leak-lifecycle. While a report is read, findings are staged chunk by chunk in PostgreSQL (so the server's
 * memory does not grow with the report); one statement at the end publishes them all. A report that breaks a
 * limit, or a process that dies mid-upload, publishes nothing. Only after the publish does HTTP answer 201/202.
 * Findings are normalised one by one as they are read, so no plaintext outlives its record.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { FINDING_RECEIVED, FindingReceivedV1 } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore, PostgresEventStore } from '@leakwatch/event-store';
import { createSchemaOnce } from '@leakwatch/pg';
import { CLOCK, Clock, PG_POOL, systemClock } from '@leakwatch/runtime';
import { FindingInput, normalizeFinding } from '../normalization/normalize-finding';

export interface IntakeResult {
  leakids: string[];
  created: number;
  duplicates: number;
  batch_id: string;
}

export interface IntakeBatch {
  readonly batchId: string;
  /** Normalises one finding now (the plaintext is not kept). */
  add(input: FindingInput): FindingReceivedV1;
  readonly size: number;
  /**
   * Back-pressure for streamed reports: a promise while too many staged chunks are still being written
   * (the reader awaits it before parsing on), else undefined.
   */
  pressure(): Promise<void> | undefined;
}

type Batch = IntakeBatch & { caller: Caller; at: string; flush(): Promise<void>; findings?: FindingReceivedV1[] };

const CHUNK = 1000;
/** A publish of at least this many findings refreshes the event table's statistics (refreshStatistics). */
export const ANALYZE_AFTER = 10_000;
/** Staged chunks being written at once before the reader waits. */
const MAX_IN_FLIGHT = 2;

const STAGING_SQL = `
CREATE UNLOGGED TABLE IF NOT EXISTS ingest_staged_findings (
  batch_id uuid NOT NULL, seq integer NOT NULL, finding_id uuid NOT NULL, leakid text NOT NULL, data jsonb NOT NULL,
  staged_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (batch_id, seq));
CREATE INDEX IF NOT EXISTS ingest_staged_findings_age ON ingest_staged_findings (staged_at);`;

/**
 * Publishes a staged batch in ONE statement (hence one transaction): its FindingReceived events on the batch
 * streams `finding-<batch>-<n>` (1000 per stream), the new leak ids, the staging rows'
 * removal and the subscribers' wake-up. The batch streams are new and named by a fresh UUID, so no other writer
 * can touch them (the store's per-stream lock has nothing to serialise); the transaction id is assigned by
 * this statement, as for any append.
 */
const PUBLISH_SQL = `
WITH staged AS (
  DELETE FROM ingest_staged_findings WHERE batch_id = $1 RETURNING seq, finding_id, leakid, data
), ins AS (
  INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata)
  SELECT 'finding-' || $1 || '-' || (seq / ${CHUNK}), seq % ${CHUNK}, finding_id, $2, 1, data, $3::jsonb FROM staged ORDER BY seq
  RETURNING stream_id, stream_revision
), fresh AS (
  INSERT INTO ingest_leaks (leakid) SELECT DISTINCT leakid FROM staged ON CONFLICT (leakid) DO NOTHING RETURNING leakid
)
SELECT (SELECT count(*) FROM ins) AS published, (SELECT count(*) FROM fresh) AS created,
       (SELECT CASE WHEN count(*) <= 10000 THEN array_agg(leakid ORDER BY first) END
          FROM (SELECT leakid, min(seq) AS first FROM staged GROUP BY leakid) l) AS leakids,
       pg_notify('leakwatch_es_events', '') AS notified`;

/** The leak-id key (see leak-id-key.ts: stored sealed under the secrets keyring, or LEAKWATCH_LEAKID_KEY). */
export const LEAK_ID_KEY = Symbol('LEAK_ID_KEY');

@Injectable()
export class FindingIntake implements OnModuleInit, OnModuleDestroy {
  private sweeper?: NodeJS.Timeout;
  private analyzing?: Promise<unknown>;
  private readonly logger = new Logger(FindingIntake.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LEAK_ID_KEY) private readonly key: Buffer,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** With the PostgreSQL store, findings are staged chunk by chunk while the body is read (flat memory). */
  private get staged(): boolean {
    return this.store instanceof PostgresEventStore;
  }

  async onModuleInit(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ingest_leaks (leakid text PRIMARY KEY, first_seen timestamptz NOT NULL DEFAULT now())`);
    if (!this.staged) return;
    await createSchemaOnce(this.pool, 'leakwatch:ingest-staging', STAGING_SQL);
    // A request that broke a limit or died mid-upload never publishes: its staged chunks are swept away.
    const sweep = () => this.pool.query(`DELETE FROM ingest_staged_findings WHERE staged_at < now() - interval '1 hour'`).catch(() => undefined);
    await sweep();
    this.sweeper = setInterval(() => void sweep(), 10 * 60_000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  begin(caller: Caller): Batch {
    const key = this.key;
    const batchId = randomUUID();
    const at = this.clock().toISOString();
    const pool = this.pool;
    let size = 0;
    let chunk: FindingReceivedV1[] = [];
    const inFlight: Array<Promise<void>> = [];
    let failure: unknown;
    const stage = (findings: FindingReceivedV1[], first: number) => {
      const write = pool
        .query(
          // One JSON document per chunk: a jsonb[] parameter is an array literal that pg escapes element by element
          // in JavaScript (~40 µs a finding, 7× the JSON.stringify of the whole chunk).
          `INSERT INTO ingest_staged_findings (batch_id, seq, finding_id, leakid, data)
           SELECT $1, $2::int + t.n::int - 1, (t.e->>'finding_id')::uuid, t.e->>'leakid', t.e
             FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(e, n)`,
          [batchId, first, JSON.stringify(findings)],
        )
        .then(
          () => undefined,
          (error: unknown) => {
            failure ??= error;
          },
        )
        .finally(() => inFlight.splice(inFlight.indexOf(write), 1));
      inFlight.push(write);
    };
    const staged = this.staged;
    const all: FindingReceivedV1[] = [];
    return {
      batchId,
      caller,
      at,
      findings: staged ? undefined : all,
      get size() {
        return size;
      },
      add(input: FindingInput) {
        const finding = normalizeFinding(input, { key, orgId: caller.orgId ?? null, at, batchId });
        size++;
        if (!staged) {
          all.push(finding);
          return finding;
        }
        chunk.push(finding);
        if (chunk.length >= CHUNK) {
          stage(chunk, size - chunk.length);
          chunk = [];
        }
        return finding;
      },
      pressure() {
        return inFlight.length >= MAX_IN_FLIGHT ? Promise.race(inFlight) : undefined;
      },
      async flush() {
        if (chunk.length) stage(chunk, size - chunk.length);
        chunk = [];
        while (inFlight.length) await Promise.all([...inFlight]);
        if (failure) throw failure;
      },
    };
  }

  /**
   * Makes the batch durable, all or nothing, and tells new leaks from duplicates. Staged (PostgreSQL): one
   * statement publishes every staged finding. Otherwise (KurrentDB) the findings are appended in chunks.
   */
  async commit(batch: IntakeBatch): Promise<IntakeResult> {
    const { caller, batchId, at } = batch as Batch;
    const metadata = { occurred_at: at, actor: { key_id: caller.keyId, org_id: caller.orgId, role: caller.role, user_email: caller.email }, correlation_id: batchId };
    if (!(batch as Batch).findings) {
      await (batch as Batch).flush();
      const { rows } = await this.pool.query<{ published: string; created: string; leakids: string[] | null }>(PUBLISH_SQL, [batchId, FINDING_RECEIVED, JSON.stringify(metadata)]);
      if (Number(rows[0].published) >= ANALYZE_AFTER) this.refreshStatistics();
      const created = Number(rows[0].created);
      return { leakids: rows[0].leakids ?? [], created, duplicates: batch.size - created, batch_id: batchId };
    }
    const findings = (batch as Batch).findings as FindingReceivedV1[];
    for (let offset = 0, chunk = 0; offset < findings.length; offset += CHUNK, chunk++) {
      const slice = findings.slice(offset, offset + CHUNK);
      await this.store.appendToStream(
        `finding-${batchId}-${chunk}`,
        slice.map((finding) => ({ id: finding.finding_id, type: FINDING_RECEIVED, data: finding, metadata })),
        { expectedRevision: 'no_stream' },
      );
    }
    const leakids = [...new Set(findings.map((f) => f.leakid))];
    let created = 0;
    for (let offset = 0; offset < leakids.length; offset += 10_000) {
      const fresh = await this.pool.query(`INSERT INTO ingest_leaks (leakid) SELECT unnest($1::text[]) ON CONFLICT (leakid) DO NOTHING`, [leakids.slice(offset, offset + 10_000)]);
      created += fresh.rowCount ?? 0;
    }
    return { leakids, created, duplicates: findings.length - created, batch_id: batchId };
  }

  /**
   * A big publish changes what `es_events` holds faster than autovacuum's next look (up to a minute later): until
   * then the planner works from statistics without these rows, and the findings consumer's reads of them were
   * sometimes planned as a bitmap scan of every published row plus a sort, to return a page of 500 (seen with
   * auto_explain after a 50,000-finding publish: 48,000 rows and 10,000 buffers a page, 180–220 ms). Not awaited:
   * the 202 does not wait for it, and a failure only leaves the statistics to autovacuum.
   */
  private refreshStatistics(): void {
    this.analyzing ??= this.pool
      .query('ANALYZE es_events')
      .catch((error: Error) => this.logger.warn(`ANALYZE es_events after a big publish failed: ${error.message}`))
      .finally(() => (this.analyzing = undefined));
  }

  async accept(caller: Caller, inputs: FindingInput[]): Promise<IntakeResult> {
    const batch = this.begin(caller);
    inputs.forEach((input) => batch.add(input));
    return this.commit(batch);
  }
}
