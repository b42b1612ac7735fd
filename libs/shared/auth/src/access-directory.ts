/**
 * The local access projection every service keeps (so it decides without a network call): API keys by
 * hash and each organisation's verified domains, built from `leakwatch.access.v1` events, persisted in
 * PostgreSQL (so a restart needs no replay) and held in memory for the per-request lookup.
 * Each row remembers the stream revision it reflects, so a redelivered older event never undoes a newer one.
 */
import type { Pool } from 'pg';
import type { AccessEventV1, AccessRole } from '@leakwatch/contracts';
import { createSchemaOnce } from '@leakwatch/pg';

export interface DirectoryKey {
  keyId: string;
  keyHash: string;
  prefix: string;
  name: string;
  role: AccessRole;
  orgId: string | null;
  userEmail: string | null;
  type: 'public' | 'private';
  limit: number;
  expiresAt: string | null;
  issuedAt: string;
  revokedAt: string | null;
  revision: number;
}

export interface DirectoryDomain {
  orgId: string;
  domain: string;
  status: 'pending' | 'verified' | 'revoked';
  expiresAt: string | null;
  revision: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_directory_keys (
  key_id text PRIMARY KEY, key_hash text NOT NULL, prefix text NOT NULL, name text NOT NULL, role text NOT NULL,
  org_id text, user_email text, type text NOT NULL, daily_limit integer NOT NULL, expires_at text, issued_at text NOT NULL,
  revoked_at text, revision integer NOT NULL);
CREATE INDEX IF NOT EXISTS auth_directory_keys_hash ON auth_directory_keys (key_hash);
CREATE TABLE IF NOT EXISTS auth_directory_domains (
  org_id text NOT NULL, domain text NOT NULL, status text NOT NULL, expires_at text, revision integer NOT NULL,
  PRIMARY KEY (org_id, domain));
CREATE TABLE IF NOT EXISTS auth_directory_orgs (org_id text PRIMARY KEY, name text NOT NULL);`;

export class AccessDirectory {
  private readonly keysByHash = new Map<string, DirectoryKey>();
  private readonly keysById = new Map<string, DirectoryKey>();
  private readonly domains = new Map<string, DirectoryDomain>();
  private readonly orgs = new Map<string, string>();
  /**
   * `verifiedDomains` per organisation, asked on every authenticated request: kept until a domain changes
   * (any `domains.set` clears it all) or the earliest expiry among them passes.
   */
  private readonly verifiedByOrg = new Map<string, { domains: string[]; computedAt: string; validUntil: string | null }>();

  private loaded?: Promise<void>;
  /** Applies run one at a time: the feed and a command's own write-through may deliver the same key at once. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(private readonly pool: Pool) {}

  /** Creates the tables and reads them into memory; once, however many callers ask. */
  load(): Promise<void> {
    this.loaded ??= this.loadOnce();
    return this.loaded;
  }

  private async loadOnce(): Promise<void> {
    await createSchemaOnce(this.pool, 'leakwatch:auth-directory-schema', SCHEMA);
    const keys = await this.pool.query(`SELECT * FROM auth_directory_keys`);
    for (const row of keys.rows) this.remember(rowToKey(row));
    const domains = await this.pool.query(`SELECT * FROM auth_directory_domains`);
    for (const row of domains.rows) {
      this.setDomain(domainKey(row.org_id, row.domain), { orgId: row.org_id, domain: row.domain, status: row.status, expiresAt: row.expires_at, revision: row.revision });
    }
    const orgs = await this.pool.query(`SELECT org_id, name FROM auth_directory_orgs`);
    for (const row of orgs.rows) this.orgs.set(row.org_id, row.name);
  }

  findByHash(hash: string): DirectoryKey | undefined {
    return this.keysByHash.get(hash);
  }

  /**
   * The key with this hash, or a definite "no such key" — decided locally, without a network call.
   * Memory first; on a miss, one indexed read of the persisted directory: in embedded mode the issuing
   * command writes through this directory before it answers, and with a PostgreSQL shared by the services
   * (distributed mode) the access-control service has written the row before its 201 — so a key issued a
   * moment ago is found without waiting for the event feed, and an unknown key is refused at once.
   */
  async resolve(hash: string): Promise<DirectoryKey | undefined> {
    const known = this.keysByHash.get(hash);
    if (known) return known;
    const { rows } = await this.pool.query(`SELECT * FROM auth_directory_keys WHERE key_hash = $1`, [hash]);
    if (rows.length === 0) return undefined;
    const stored = rowToKey(rows[0]);
    const current = this.keysById.get(stored.keyId);
    // Memory is at least as new: this hash was rotated away in the meantime.
    if (current && current.revision >= stored.revision) return undefined;
    this.remember(stored);
    return stored;
  }

  findById(keyId: string): DirectoryKey | undefined {
    return this.keysById.get(keyId);
  }

  orgExists(orgId: string): boolean {
    return this.orgs.has(orgId);
  }

  /** The organisation's domains whose verification holds at `now`. */
  verifiedDomains(orgId: string | null | undefined, now: string): string[] {
    if (!orgId) return [];
    const cached = this.verifiedByOrg.get(orgId);
    // A copy: callers own the array (it travels on the request's caller).
    if (cached && now >= cached.computedAt && (cached.validUntil === null || now < cached.validUntil)) return [...cached.domains];
    const verified = [...this.domains.values()].filter((d) => d.orgId === orgId && d.status === 'verified' && (!d.expiresAt || d.expiresAt > now));
    const domains = verified.map((d) => d.domain).sort();
    const expiries = verified.map((d) => d.expiresAt).filter((e): e is string => e !== null).sort();
    this.verifiedByOrg.set(orgId, { domains, computedAt: now, validUntil: expiries[0] ?? null });
    return [...domains];
  }

  /** Applies one access event at the given stream revision; older or repeated revisions are ignored. */
  apply(event: AccessEventV1, revision: number): Promise<void> {
    const run = this.applying.then(() => this.applyOne(event, revision));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyOne(event: AccessEventV1, revision: number): Promise<void> {
    switch (event.type) {
      case 'OrganizationCreated':
        await this.pool.query(`INSERT INTO auth_directory_orgs (org_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [event.data.org_id, event.data.name]);
        this.orgs.set(event.data.org_id, event.data.name);
        return;
      case 'ApiKeyIssued': {
        const d = event.data;
        await this.saveKey({
          keyId: d.key_id, keyHash: d.key_hash, prefix: d.prefix, name: d.name, role: d.role, orgId: d.org_id, userEmail: d.user_email,
          type: d.type, limit: d.limit, expiresAt: d.expires_at, issuedAt: d.issued_at, revokedAt: null, revision,
        });
        return;
      }
      case 'ApiKeyRotated': {
        const current = this.keysById.get(event.data.key_id);
        if (current) await this.saveKey({ ...current, keyHash: event.data.key_hash, prefix: event.data.prefix, revision });
        return;
      }
      case 'ApiKeyRevoked': {
        const current = this.keysById.get(event.data.key_id);
        if (current) await this.saveKey({ ...current, revokedAt: event.data.revoked_at, revision });
        return;
      }
      case 'DomainClaimed':
        return this.saveDomain({ orgId: event.data.org_id, domain: event.data.domain, status: 'pending', expiresAt: null, revision });
      case 'DomainVerified':
        return this.saveDomain({ orgId: event.data.org_id, domain: event.data.domain, status: 'verified', expiresAt: event.data.expires_at, revision });
      case 'DomainRevoked':
        return this.saveDomain({ orgId: event.data.org_id, domain: event.data.domain, status: 'revoked', expiresAt: null, revision });
    }
  }

  private async saveKey(key: DirectoryKey): Promise<void> {
    const current = this.keysById.get(key.keyId);
    if (current && current.revision >= key.revision) return;
    const { rowCount } = await this.pool.query(
      `INSERT INTO auth_directory_keys (key_id, key_hash, prefix, name, role, org_id, user_email, type, daily_limit, expires_at, issued_at, revoked_at, revision)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
       ON CONFLICT (key_id) DO UPDATE SET key_hash = EXCLUDED.key_hash, prefix = EXCLUDED.prefix, revoked_at = EXCLUDED.revoked_at,
         revision = EXCLUDED.revision
       WHERE auth_directory_keys.revision < EXCLUDED.revision`,
      [key.keyId, key.keyHash, key.prefix, key.name, key.role, key.orgId, key.userEmail, key.type, key.limit, key.expiresAt, key.issuedAt, key.revokedAt, key.revision],
    );
    if (rowCount) return this.remember(key);
    // The table is newer than this event (another process sharing it wrote a later revision): take the table's.
    const { rows } = await this.pool.query(`SELECT * FROM auth_directory_keys WHERE key_id = $1`, [key.keyId]);
    if (rows.length) this.remember(rowToKey(rows[0]));
  }

  private remember(key: DirectoryKey): void {
    const previous = this.keysById.get(key.keyId);
    if (previous && previous.revision > key.revision) return;
    if (previous) this.keysByHash.delete(previous.keyHash);
    this.keysById.set(key.keyId, key);
    this.keysByHash.set(key.keyHash, key);
  }

  private setDomain(id: string, domain: DirectoryDomain): void {
    this.domains.set(id, domain);
    this.verifiedByOrg.clear();
  }

  private async saveDomain(domain: DirectoryDomain): Promise<void> {
    const id = domainKey(domain.orgId, domain.domain);
    const current = this.domains.get(id);
    if (current && current.revision >= domain.revision) return;
    const { rows } = await this.pool.query(
      `INSERT INTO auth_directory_domains (org_id, domain, status, expires_at, revision) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (org_id, domain) DO UPDATE SET status = EXCLUDED.status, expires_at = EXCLUDED.expires_at, revision = EXCLUDED.revision
       WHERE auth_directory_domains.revision < EXCLUDED.revision
       RETURNING org_id`,
      [domain.orgId, domain.domain, domain.status, domain.expiresAt, domain.revision],
    );
    if (rows.length) {
      this.setDomain(id, domain);
      return;
    }
    const stored = await this.pool.query(`SELECT * FROM auth_directory_domains WHERE org_id = $1 AND domain = $2`, [domain.orgId, domain.domain]);
    const row = stored.rows[0];
    if (row) this.setDomain(id, { orgId: row.org_id, domain: row.domain, status: row.status, expiresAt: row.expires_at, revision: row.revision });
  }
}

const domainKey = (orgId: string, domain: string) => `${orgId}\u0000${domain}`;

function rowToKey(row: Record<string, unknown>): DirectoryKey {
  return {
    keyId: row.key_id as string,
    keyHash: row.key_hash as string,
    prefix: row.prefix as string,
    name: row.name as string,
    role: row.role as AccessRole,
    orgId: (row.org_id as string) ?? null,
    userEmail: (row.user_email as string) ?? null,
    type: row.type as 'public' | 'private',
    limit: row.daily_limit as number,
    expiresAt: (row.expires_at as string) ?? null,
    issuedAt: row.issued_at as string,
    revokedAt: (row.revoked_at as string) ?? null,
    revision: row.revision as number,
  };
}
