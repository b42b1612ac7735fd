/** Queries over access-control's read models, always scoped by the caller's organisation. */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { CLOCK, Clock, PG_POOL } from '@leakwatch/runtime';
import { ADMIN_LIST_DEFAULT_LIMIT, Page, PageRequest, decodeListCursor, timeKeySql, toPage } from './list-page';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: string;
  org_id: string | null;
  user_email: string | null;
  type: string;
  limit: number;
  expires_at: string | null;
  created_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
  status: 'active' | 'revoked' | 'expired';
}

export interface DomainView {
  org_id: string;
  domain: string;
  status: 'pending' | 'verified' | 'expired' | 'revoked';
  method: string | null;
  claimed_at: string;
  verified_at: string | null;
  expires_at: string | null;
}

export interface OrgView {
  org_id: string;
  name: string;
  created_at: string;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

@Injectable()
export class AccessQueries {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async listOrgs(orgId?: string, page: PageRequest = {}): Promise<Page<OrgView>> {
    const limit = page.limit ?? ADMIN_LIST_DEFAULT_LIMIT;
    const [at, id] = page.cursor ? decodeListCursor(page.cursor, ['time', 'text']) : [null, null];
    const { rows } = await this.pool.query(
      `SELECT *, ${timeKeySql('created_at')} AS k1 FROM ac_orgs WHERE ($1::text IS NULL OR org_id = $1)
         AND ($2::timestamptz IS NULL OR (created_at, org_id) > ($2::timestamptz, $3)) ORDER BY created_at, org_id LIMIT $4`,
      [orgId ?? null, at, id, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.k1, r.org_id], (r) => ({ org_id: r.org_id, name: r.name, created_at: r.created_at.toISOString() }));
  }

  async orgExists(orgId: string): Promise<boolean> {
    return (await this.pool.query(`SELECT 1 FROM ac_orgs WHERE org_id = $1`, [orgId])).rowCount === 1;
  }

  /** `orgId` undefined = every organisation (global roles); null = platform keys only. */
  async listKeys(orgId: string | null | undefined, page: PageRequest = {}): Promise<Page<ApiKeyView>> {
    const limit = page.limit ?? ADMIN_LIST_DEFAULT_LIMIT;
    const [at, id] = page.cursor ? decodeListCursor(page.cursor, ['time', 'text']) : [null, null];
    const { rows } = await this.pool.query(
      `SELECT *, ${timeKeySql('issued_at')} AS k1 FROM ac_api_keys WHERE ($1::boolean OR org_id IS NOT DISTINCT FROM $2)
         AND ($3::timestamptz IS NULL OR (issued_at, key_id::text) > ($3::timestamptz, $4::text)) ORDER BY issued_at, key_id::text LIMIT $5`,
      [orgId === undefined, orgId ?? null, at, id, limit + 1],
    );
    const now = this.clock();
    return toPage(rows, limit, (r) => [r.k1, String(r.key_id)], (r) => toKeyView(r, now));
  }

  async findKey(keyId: string): Promise<ApiKeyView | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ac_api_keys WHERE key_id = $1`, [keyId]);
    return rows.length ? toKeyView(rows[0], this.clock()) : undefined;
  }

  async listDomains(orgId: string | undefined, page: PageRequest = {}): Promise<Page<DomainView>> {
    const limit = page.limit ?? ADMIN_LIST_DEFAULT_LIMIT;
    const [org, domain] = page.cursor ? decodeListCursor(page.cursor, ['text', 'text']) : [null, null];
    const { rows } = await this.pool.query(
      `SELECT * FROM ac_domains WHERE ($1::text IS NULL OR org_id = $1)
         AND ($2::text IS NULL OR (org_id::text, domain) > ($2::text, $3)) ORDER BY org_id::text, domain LIMIT $4`,
      [orgId ?? null, org, domain, limit + 1],
    );
    const now = this.clock();
    return toPage(rows, limit, (r) => [String(r.org_id), r.domain], (r) => toDomainView(r, now));
  }

  async findDomain(orgId: string, domain: string): Promise<(DomainView & { token: string }) | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ac_domains WHERE org_id = $1 AND domain = $2`, [orgId, domain]);
    return rows.length ? { ...toDomainView(rows[0], this.clock()), token: rows[0].token } : undefined;
  }
}

function toKeyView(r: Record<string, any>, now: Date): ApiKeyView {
  const expired = r.expires_at && r.expires_at <= now;
  return {
    id: r.key_id, name: r.name, prefix: r.prefix, role: r.role, org_id: r.org_id, user_email: r.user_email, type: r.type,
    limit: r.daily_limit, expires_at: iso(r.expires_at), created_at: r.issued_at.toISOString(), rotated_at: iso(r.rotated_at),
    revoked_at: iso(r.revoked_at), status: r.revoked_at ? 'revoked' : expired ? 'expired' : 'active',
  };
}

function toDomainView(r: Record<string, any>, now: Date): DomainView {
  const expired = r.status === 'verified' && r.expires_at && r.expires_at <= now;
  return {
    org_id: r.org_id, domain: r.domain, status: expired ? 'expired' : r.status, method: r.method,
    claimed_at: r.claimed_at.toISOString(), verified_at: iso(r.verified_at), expires_at: iso(r.expires_at),
  };
}
