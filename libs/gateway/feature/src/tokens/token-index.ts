/**
 * The gateway's local view of leaked tokens: SHA-256 fingerprint → the leaks of that token (one per owner),
 * whether each is blocked (an active virtual patch) and the facts the visibility policy needs, so every
 * answer is scoped to what the caller may see: a key learns only about leaks its caller may see.
 * Checks are Map lookups — no database on the hot path. Kept current from leak events and persisted (a
 * restart needs no replay); every change of the blocked set is appended to a change log that gateways page
 * through (`/tokens/blocklist?cursor=`), filtered by the same policy in SQL.
 *
 * Only `token` leaks are indexed. A credential's password is not a bearer token a gateway sees, and
 * matching it would tell any key that somebody's password is leaked: passwords are never checkable here.
 */
import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import { Caller, LeakAccessFacts, canRead, emailDomain, leakVisibleSql, normalizeDomain, normalizeEmail } from '@leakwatch/authz';
import { createSchemaOnce } from '@leakwatch/pg';

/** A token leak as the index keeps it: the visibility facts are its own fields (one object per token, not two). */
export interface TokenEntry extends LeakAccessFacts {
  leakid: string;
  fingerprint: string;
  blocked: boolean;
  revision: number;
}

/** What the index needs from a `LeakDetected` event. */
export interface DetectedToken {
  leakid: string;
  fingerprint: string;
  identityEmail?: string | null;
  siteDomain?: string | null;
  orgId?: string | null;
}

export interface BlocklistChange {
  seq: number;
  sha256: string;
  leakid: string;
  blocked: boolean;
  changed_at: string;
}

/** v2 tables: the v1 ones had no visibility facts, so the index is rebuilt from the leak events. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS gw_leak_tokens (
  leakid text PRIMARY KEY, fingerprint text NOT NULL, blocked boolean NOT NULL, revision integer NOT NULL,
  identity_email text, identity_domain text, site_domain text, org_id text);
CREATE INDEX IF NOT EXISTS gw_leak_tokens_fingerprint ON gw_leak_tokens (fingerprint);
CREATE TABLE IF NOT EXISTS gw_blocklist_log (
  seq bigserial PRIMARY KEY, fingerprint text NOT NULL, leakid text NOT NULL, blocked boolean NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS gw_blocklist_log_leakid ON gw_blocklist_log (leakid);
-- Upgrading from v1: number the new log after the old one, so a client's old cursor is below every new
-- change and it receives the rebuilt blocked set again (applying a change twice is harmless).
DO $$ BEGIN
  IF to_regclass('gw_blocklist_changes') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gw_blocklist_log) THEN
    PERFORM setval(pg_get_serial_sequence('gw_blocklist_log', 'seq'), (SELECT max(seq) FROM gw_blocklist_changes));
  END IF;
END $$;`;

export const RANGE_PREFIX_LENGTH = 5;
const RANGE_PREFIX = /^[0-9a-f]{5}$/;

/** A range prefix (5 lowercase hex digits, as fingerprints are written) as the number the index keys it by; else undefined. */
export function rangeKey(prefix: string): number | undefined {
  return RANGE_PREFIX.test(prefix) ? parseInt(prefix, 16) : undefined;
}
export const TOKEN_INDEX_SCHEMA_SQL = SCHEMA;

/**
 * New token leaks in one multi-row insert (a leak already indexed is left as it is), sent as one JSON document:
 * pg would build seven array literals escaping element by element in JavaScript.
 */
export async function insertTokens(db: Pick<Pool, 'query'>, entries: TokenEntry[]): Promise<void> {
  const rows = entries.map((e) => ({
    leakid: e.leakid, fingerprint: e.fingerprint, revision: e.revision, identity_email: e.identityEmail ?? null,
    identity_domain: emailDomain(e.identityEmail) ?? null, site_domain: e.siteDomain ?? null, org_id: e.ingestedByOrgId ?? null,
  }));
  await db.query(
    `INSERT INTO gw_leak_tokens (leakid, fingerprint, blocked, revision, identity_email, identity_domain, site_domain, org_id)
     SELECT leakid, fingerprint, false, revision, identity_email, identity_domain, site_domain, org_id
       FROM jsonb_to_recordset($1::jsonb)
            AS t(leakid text, fingerprint text, revision int, identity_email text, identity_domain text, site_domain text, org_id text)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/**
 * The one copy of an organisation id the index keeps: every token of a report carries the same id, parsed from each
 * event as a string of its own (a heap snapshot after a 100,000-finding ingest held 100,000 copies, ~6 MiB).
 * Organisations are few; the map only ever holds their ids.
 */
const orgIds = new Map<string, string>();
function orgIdOf(orgId: string | null | undefined): string | undefined {
  if (orgId === null || orgId === undefined) return undefined;
  let kept = orgIds.get(orgId);
  if (kept === undefined) orgIds.set(orgId, (kept = orgId));
  return kept;
}

/** A new entry for a detected token, its access facts normalised as the index keeps them. */
export function tokenEntry(token: DetectedToken, revision: number): TokenEntry {
  return {
    leakid: token.leakid, fingerprint: token.fingerprint, blocked: false, revision,
    identityEmail: normalizeEmail(token.identityEmail ?? undefined), siteDomain: normalizeDomain(token.siteDomain ?? undefined), ingestedByOrgId: orgIdOf(token.orgId),
  };
}

/**
 * A virtual patch on/off in SQL alone (the rebuild's path): revision-guarded like `setBlocked`, and a change of
 * the blocked set is logged for blocklist readers, in one statement.
 */
export async function setBlockedRow(db: Pick<Pool, 'query'>, leakid: string, blocked: boolean, revision: number): Promise<void> {
  await db.query(
    `WITH old AS (SELECT leakid, fingerprint, blocked FROM gw_leak_tokens WHERE leakid = $1 AND revision < $3 FOR UPDATE),
          changed AS (UPDATE gw_leak_tokens t SET blocked = $2, revision = $3 FROM old WHERE t.leakid = old.leakid RETURNING old.fingerprint, old.blocked AS was)
     INSERT INTO gw_blocklist_log (fingerprint, leakid, blocked) SELECT fingerprint, $1, $2 FROM changed WHERE was <> $2`,
    [leakid, blocked, revision],
  );
}

export class TokenIndex {
  // Memory: every blockable fingerprint of the installation lives here. Almost every fingerprint has one leak and
  // almost every 5-hex prefix one fingerprint, so a single value is kept as is and only a second one makes an
  // array (single-element arrays and a Set per prefix cost ~160 of ~550 bytes per token: ~77 MiB at 500,000).
  private readonly byFingerprint = new Map<string, TokenEntry | TokenEntry[]>();
  private readonly byLeak = new Map<string, TokenEntry>();
  /** Keyed by the prefix's number (`rangeKey`): a small integer instead of a 5-character string per range (~8 MiB at 450,000 tokens). */
  private readonly byPrefix = new Map<number, string | string[]>();
  private readonly changes = new EventEmitter();
  /** Bumped on every change of the index: part of the range endpoint's ETag. */
  private version = 0;
  /** Aborted when the process shuts down: long-polls answer at once instead of holding the server open. */
  private readonly closing = new AbortController();

  constructor(private readonly pool: Pool) {
    this.changes.setMaxListeners(0);
  }

  async load(): Promise<void> {
    await createSchemaOnce(this.pool, 'leakwatch:gw-leak-tokens-schema', SCHEMA);
    const { rows } = await this.pool.query(`SELECT * FROM gw_leak_tokens`);
    for (const row of rows) {
      this.remember({
        leakid: row.leakid, fingerprint: row.fingerprint, blocked: row.blocked, revision: row.revision,
        identityEmail: row.identity_email ?? undefined, siteDomain: row.site_domain ?? undefined, ingestedByOrgId: orgIdOf(row.org_id),
      });
    }
  }

  /** Every indexed leak of this fingerprint, unscoped: callers go through `visible`. */
  private entries(fingerprint: string): readonly TokenEntry[] {
    const found = this.byFingerprint.get(fingerprint);
    return found === undefined ? [] : Array.isArray(found) ? found : [found];
  }

  /** The leaks of this fingerprint the caller may see; blocked ones first. */
  visible(caller: Caller, fingerprint: string): TokenEntry[] {
    const found = this.entries(fingerprint).filter((entry) => canRead(caller, entry).allowed);
    return found.sort((a, b) => Number(b.blocked) - Number(a.blocked));
  }

  /** Visible leaks whose fingerprint starts with this prefix (k-anonymity range). */
  visibleInRange(caller: Caller, prefix: string): TokenEntry[] {
    const key = rangeKey(prefix);
    const found = key === undefined ? undefined : this.byPrefix.get(key);
    const fingerprints = found === undefined ? [] : typeof found === 'string' ? [found] : found;
    return fingerprints.flatMap((fingerprint) => this.visible(caller, fingerprint));
  }

  get size(): number {
    return this.byLeak.size;
  }

  get revision(): number {
    return this.version;
  }

  /** A token leak with a known fingerprint appeared (masked leaks have none: they cannot be checked): a page of one. */
  async addLeak(token: DetectedToken, revision: number): Promise<void> {
    await this.addLeaks([{ token, revision }]);
  }

  /** Token leaks not indexed yet (a page of an ingest): one multi-row insert, then their in-memory entries. */
  async addLeaks(tokens: Array<{ token: DetectedToken; revision: number }>): Promise<void> {
    const fresh = new Map<string, TokenEntry>();
    for (const { token, revision } of tokens) {
      if (!this.byLeak.has(token.leakid) && !fresh.has(token.leakid)) fresh.set(token.leakid, tokenEntry(token, revision));
    }
    if (!fresh.size) return;
    const entries = [...fresh.values()];
    await insertTokens(this.pool, entries);
    for (const entry of entries) this.remember(entry);
    this.changed(false);
  }

  /** Virtual patch on/off; a change of the blocked set is logged for blocklist readers. */
  async setBlocked(leakid: string, blocked: boolean, revision: number): Promise<void> {
    const current = this.byLeak.get(leakid);
    if (!current || current.revision >= revision) return;
    await setBlockedRow(this.pool, leakid, blocked, revision);
    const logged = current.blocked !== blocked;
    current.blocked = blocked;
    current.revision = revision;
    this.changed(logged);
  }

  /** Changes of the blocked set after `cursor` that the caller may see, oldest first. */
  async changesAfter(caller: Caller, cursor: number, limit: number): Promise<BlocklistChange[]> {
    const params: unknown[] = [cursor, limit];
    const bind = (value: unknown) => `$${params.push(value)}`;
    const { rows } = await this.pool.query<{ seq: string; fingerprint: string; leakid: string; blocked: boolean; changed_at: Date }>(
      `SELECT c.seq, c.fingerprint, c.leakid, c.blocked, c.changed_at
         FROM gw_blocklist_log c JOIN gw_leak_tokens t ON t.leakid = c.leakid
        WHERE c.seq > $1 AND ${leakVisibleSql(caller, bind)}
        ORDER BY c.seq LIMIT $2`,
      params,
    );
    return rows.map((r) => ({ seq: Number(r.seq), sha256: r.fingerprint, leakid: r.leakid, blocked: r.blocked, changed_at: r.changed_at.toISOString() }));
  }

  /** The newest change number (for a client that starts following now). */
  async head(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM gw_blocklist_log`);
    return Number(rows[0].seq ?? 0);
  }

  /** Resolves on the next logged change of the blocked set, or after `ms`; false on timeout. */
  nextChange(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.closing.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        this.changes.off('logged', onChange);
        signal?.removeEventListener('abort', onAbort);
        this.closing.signal.removeEventListener('abort', onAbort);
        resolve(changed);
      };
      const onChange = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.changes.on('logged', onChange);
      signal?.addEventListener('abort', onAbort);
      this.closing.signal.addEventListener('abort', onAbort);
    });
  }

  /** True once the process is shutting down. */
  get shuttingDown(): boolean {
    return this.closing.signal.aborted;
  }

  /**
   * Before the HTTP server closes (Nest calls this first): waiting long-polls answer now. Otherwise the server
   * would wait for each one's full `wait`, and then for its keep-alive connection to time out.
   */
  beforeApplicationShutdown(): void {
    this.closing.abort();
  }

  private changed(logged: boolean): void {
    this.version++;
    if (logged) this.changes.emit('logged');
  }

  private remember(entry: TokenEntry): void {
    this.byLeak.set(entry.leakid, entry);
    const known = this.byFingerprint.get(entry.fingerprint);
    if (known === undefined) this.byFingerprint.set(entry.fingerprint, entry);
    else if (Array.isArray(known)) known.push(entry);
    else this.byFingerprint.set(entry.fingerprint, [known, entry]);
    if (known !== undefined) return; // its prefix lists it already
    const prefix = rangeKey(entry.fingerprint.slice(0, RANGE_PREFIX_LENGTH));
    if (prefix === undefined) return; // not a hex fingerprint: no range can name it
    const listed = this.byPrefix.get(prefix);
    if (listed === undefined) this.byPrefix.set(prefix, entry.fingerprint);
    else if (Array.isArray(listed)) listed.push(entry.fingerprint);
    else this.byPrefix.set(prefix, [listed, entry.fingerprint]);
  }
}
