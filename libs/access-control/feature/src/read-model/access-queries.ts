/** Queries over access-control's read models, always scoped by the caller's organisation. */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@leakwatch/runtime';

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
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async listOrgs(orgId?: string): Promise<OrgView[]> {
    const { rows } = await this.pool.query(`SELECT * FROM ac_orgs WHERE ($1::text IS NULL OR org_id = $1) ORDER BY created_at, org_id`, [orgId ?? null]);
    return rows.map((r) => ({ org_id: r.org_id, name: r.name, created_at: r.created_at.toISOString() }));
  }

  async orgExists(orgId: string): Promise<boolean> {
    return (await this.pool.query(`SELECT 1 FROM ac_orgs WHERE org_id = $1`, [orgId])).rowCount === 1;
  }

  /** `orgId` undefined = every organisation (global roles); null = platform keys only. */
  async listKeys(orgId: string | null | undefined): Promise<ApiKeyView[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM ac_api_keys WHERE ($1::boolean OR org_id IS NOT DISTINCT FROM $2) ORDER BY issued_at, key_id`,
      [orgId === undefined, orgId ?? null],
    );
    return rows.map(toKeyView);
  }

  async findKey(keyId: string): Promise<ApiKeyView | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ac_api_keys WHERE key_id = $1`, [keyId]);
    return rows.length ? toKeyView(rows[0]) : undefined;
  }

  async listDomains(orgId: string | undefined): Promise<DomainView[]> {
    const { rows } = await this.pool.query(`SELECT * FROM ac_domains WHERE ($1::text IS NULL OR org_id = $1) ORDER BY org_id, domain`, [orgId ?? null]);
    return rows.map(toDomainView);
  }

  async findDomain(orgId: string, domain: string): Promise<(DomainView & { token: string }) | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ac_domains WHERE org_id = $1 AND domain = $2`, [orgId, domain]);
    return rows.length ? { ...toDomainView(rows[0]), token: rows[0].token } : undefined;
  }
}

function toKeyView(r: Record<string, any>): ApiKeyView {
  const expired = r.expires_at && r.expires_at <= new Date();
  return {
    id: r.key_id, name: r.name, prefix: r.prefix, role: r.role, org_id: r.org_id, user_email: r.user_email, type: r.type,
    limit: r.daily_limit, expires_at: iso(r.expires_at), created_at: r.issued_at.toISOString(), rotated_at: iso(r.rotated_at),
    revoked_at: iso(r.revoked_at), status: r.revoked_at ? 'revoked' : expired ? 'expired' : 'active',
  };
}

function toDomainView(r: Record<string, any>): DomainView {
  const expired = r.status === 'verified' && r.expires_at && r.expires_at <= new Date();
  return {
    org_id: r.org_id, domain: r.domain, status: expired ? 'expired' : r.status, method: r.method,
    claimed_at: r.claimed_at.toISOString(), verified_at: iso(r.verified_at), expires_at: iso(r.expires_at),
  };
}
