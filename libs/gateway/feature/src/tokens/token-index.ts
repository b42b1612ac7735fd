/**
 * The gateway's local view of leaked tokens: SHA-256 fingerprint → leak and whether it is blocked
 * (an active virtual patch). Checks are a Map lookup — no database on the hot path. Kept current from
 * leak events and persisted (so a restart needs no replay); every change of the blocked set is appended
 * to a change log that gateways page through (`/tokens/blocklist?cursor=`).
 */
import type { Pool } from 'pg';
import { createSchemaOnce, withTransaction } from '@leakwatch/pg';

export interface TokenEntry {
  leakid: string;
  fingerprint: string;
  blocked: boolean;
  revision: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS gw_tokens (
  leakid text PRIMARY KEY, fingerprint text NOT NULL, blocked boolean NOT NULL, revision integer NOT NULL);
CREATE INDEX IF NOT EXISTS gw_tokens_fingerprint ON gw_tokens (fingerprint);
CREATE TABLE IF NOT EXISTS gw_blocklist_changes (
  seq bigserial PRIMARY KEY, fingerprint text NOT NULL, leakid text NOT NULL, blocked boolean NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now());`;

export class TokenIndex {
  private readonly byFingerprint = new Map<string, TokenEntry>();
  private readonly byLeak = new Map<string, TokenEntry>();

  constructor(private readonly pool: Pool) {}

  async load(): Promise<void> {
    await createSchemaOnce(this.pool, 'leakwatch:gw-tokens-schema', SCHEMA);
    const { rows } = await this.pool.query<TokenEntry>(`SELECT leakid, fingerprint, blocked, revision FROM gw_tokens`);
    rows.forEach((row) => this.remember(row));
  }

  lookup(fingerprint: string): TokenEntry | undefined {
    return this.byFingerprint.get(fingerprint);
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  /** A leak with a known fingerprint appeared (masked leaks have none: they cannot be checked). */
  async addLeak(leakid: string, fingerprint: string, revision: number): Promise<void> {
    if (this.byLeak.has(leakid)) return;
    const entry = { leakid, fingerprint, blocked: false, revision };
    await this.pool.query(`INSERT INTO gw_tokens (leakid, fingerprint, blocked, revision) VALUES ($1, $2, false, $3) ON CONFLICT DO NOTHING`, [
      leakid, fingerprint, revision,
    ]);
    this.remember(entry);
  }

  /** Virtual patch on/off; a change of the blocked set is logged for blocklist readers. */
  async setBlocked(leakid: string, blocked: boolean, revision: number): Promise<void> {
    const current = this.byLeak.get(leakid);
    if (!current || current.revision >= revision) return;
    await withTransaction(this.pool, async (client) => {
      const updated = await client.query(`UPDATE gw_tokens SET blocked = $2, revision = $3 WHERE leakid = $1 AND revision < $3`, [leakid, blocked, revision]);
      if (updated.rowCount && current.blocked !== blocked) {
        await client.query(`INSERT INTO gw_blocklist_changes (fingerprint, leakid, blocked) VALUES ($1, $2, $3)`, [current.fingerprint, leakid, blocked]);
      }
    });
    this.remember({ ...current, blocked, revision });
  }

  async changesAfter(cursor: number, limit: number) {
    const { rows } = await this.pool.query<{ seq: string; fingerprint: string; leakid: string; blocked: boolean; changed_at: Date }>(
      `SELECT seq, fingerprint, leakid, blocked, changed_at FROM gw_blocklist_changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [cursor, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), sha256: r.fingerprint, leakid: r.leakid, blocked: r.blocked, changed_at: r.changed_at.toISOString() }));
  }

  private remember(entry: TokenEntry): void {
    this.byFingerprint.set(entry.fingerprint, entry);
    this.byLeak.set(entry.leakid, entry);
  }
}
