/**
 * `st_leak_decisions`: every status change of a leak (from → to, reason, comment) with who made it — the actor
 * travels in the CloudEvent extensions `actorkeyid`, `actororgid`, `actorrole` of `LeakStatusChanged` on
 * `leakwatch.leaks.v1`. The remediation report lists these rows and tells regression reopens from decisions.
 * Keyed by (leakid, stream revision): a redelivered or replayed event inserts nothing, so it needs no revision
 * claim and a replay of the topic refills it even when `st_leaks` is already current. Written in the same
 * transaction as the status change's counts, so the report never shows a decision without its count.
 */
import type { Pool, PoolClient } from 'pg';
import type { CloudEvent } from '@leakwatch/messaging';
import { withTransaction } from '@leakwatch/pg';
import type { LeakFactAt } from '../leaks/leak-events.reader';
import { applyLeakFact } from '../leaks/leak-stats.read-model';
import { readLeakEventV1 } from '@leakwatch/contracts';

export const LEAK_DECISIONS_TABLES = ['st_leak_decisions'];

export const LEAK_DECISIONS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS st_leak_decisions (
  leakid text NOT NULL, revision integer NOT NULL, at timestamptz NOT NULL, from_status text, to_status text NOT NULL,
  reason text NOT NULL, comment text, actor_key_id text, actor_role text, actor_org_id text,
  PRIMARY KEY (leakid, revision));
CREATE INDEX IF NOT EXISTS st_leak_decisions_at ON st_leak_decisions (at);`;

export interface LeakDecision {
  leakid: string;
  revision: number;
  at: string;
  from: string | null;
  to: 'open' | 'fixed' | 'false_positive';
  /** `decision` (a person or key chose it) or `regression` (a fixed leak seen again). */
  reason: string;
  comment: string | null;
  actor: { key_id: string | null; role: string | null; org_id: string | null };
}


/** A `LeakStatusChanged` integration event as a decision row; undefined for anything else or a malformed one. */
export function readLeakDecision(event: CloudEvent): LeakDecision | undefined {
  const read = event.type === 'LeakStatusChanged' ? readLeakEventV1(event.type, event.data) : undefined;
  const raw = event.extensions?.streamrevision;
  if (read?.type !== 'LeakStatusChanged' || !raw || !/^\d+$/.test(raw)) return undefined;
  const d = read.data;
  // Same fallback as the activity rows (leak-events.reader), so a decision and its activity row agree on `at`.
  const time = typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)) ? new Date(event.time).toISOString() : new Date().toISOString();
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
  return {
    leakid: d.leakid,
    revision: Number(raw),
    at: time,
    from: d.from,
    to: d.to,
    reason: d.reason,
    comment: d.comment,
    actor: { key_id: text(event.extensions?.actorkeyid), role: text(event.extensions?.actorrole), org_id: text(event.extensions?.actororgid) },
  };
}

export class LeakDecisionsReadModel {
  constructor(private readonly pool: Pool) {}

  /** The decision row alone, if the leak stats are past it (LeakDecisionsConsumer: the backfill; see backfillDecisions). */
  apply(decision: LeakDecision): Promise<void> {
    return this.applyPage([decision]);
  }

  /** The decision rows of a page the leak stats are past, one statement (LeakDecisionsConsumer's page). */
  async applyPage(decisions: LeakDecision[]): Promise<void> {
    if (decisions.length) await backfillDecisions(this.pool, decisions);
  }

  /** The decision row and the leak stats' own update for the same event, all or nothing. */
  applyWithFact(decision: LeakDecision, fact: LeakFactAt): Promise<void> {
    return withTransaction(this.pool, async (client) => {
      await insertDecision(client, decision);
      await applyLeakFact(client, fact);
    });
  }
}

/**
 * The backfill's insert (LeakDecisionsConsumer): only decisions the leak stats have already passed (`st_leaks`
 * at or after the decision's revision, committed). Those are the past the leak stats consumer of a version
 * without the table never recorded; every other decision is the leak stats consumer's to write, in the same
 * transaction as its counts — the one owner of live rows. So the two never insert the same new row: the
 * backfill neither waits on the owner's uncommitted insert nor keeps a transaction open (one statement,
 * autocommit), and a redelivery inserts nothing (ON CONFLICT on the committed row).
 */
export async function backfillDecisions(db: Pick<Pool, 'query'>, decisions: LeakDecision[]): Promise<void> {
  const col = <T>(pick: (d: LeakDecision) => T) => decisions.map(pick);
  await db.query(
    `INSERT INTO st_leak_decisions (leakid, revision, at, from_status, to_status, reason, comment, actor_key_id, actor_role, actor_org_id)
     SELECT d.* FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
            AS d(leakid, revision, at, from_status, to_status, reason, comment, actor_key_id, actor_role, actor_org_id)
      WHERE EXISTS (SELECT 1 FROM st_leaks s WHERE s.leakid = d.leakid AND s.revision >= d.revision)
     ON CONFLICT (leakid, revision) DO NOTHING`,
    [col((d) => d.leakid), col((d) => d.revision), col((d) => d.at), col((d) => d.from), col((d) => d.to), col((d) => d.reason), col((d) => d.comment),
      col((d) => d.actor.key_id), col((d) => d.actor.role), col((d) => d.actor.org_id)],
  );
}

/** Decision rows in one multi-row insert (a replayed one inserts nothing). */
export async function insertDecisions(client: PoolClient, decisions: LeakDecision[]): Promise<void> {
  if (!decisions.length) return;
  const col = <T>(pick: (d: LeakDecision) => T) => decisions.map(pick);
  await client.query(
    `INSERT INTO st_leak_decisions (leakid, revision, at, from_status, to_status, reason, comment, actor_key_id, actor_role, actor_org_id)
     SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
     ON CONFLICT (leakid, revision) DO NOTHING`,
    [col((d) => d.leakid), col((d) => d.revision), col((d) => d.at), col((d) => d.from), col((d) => d.to), col((d) => d.reason), col((d) => d.comment),
      col((d) => d.actor.key_id), col((d) => d.actor.role), col((d) => d.actor.org_id)],
  );
}

async function insertDecision(client: PoolClient, decision: LeakDecision): Promise<void> {
  await client.query(
    `INSERT INTO st_leak_decisions (leakid, revision, at, from_status, to_status, reason, comment, actor_key_id, actor_role, actor_org_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (leakid, revision) DO NOTHING`,
    [decision.leakid, decision.revision, decision.at, decision.from, decision.to, decision.reason, decision.comment,
      decision.actor.key_id, decision.actor.role, decision.actor.org_id],
  );
}
