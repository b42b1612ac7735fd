/**
 * access-control's own read models (organisations, API keys, domains) for its list endpoints.
 * Guarded by stream revision, so replays and rebuilds give the same rows.
 */
import type { RecordedEvent } from '@leakwatch/event-store';
import type { Projection } from '@leakwatch/projections';
import { accessEventCodec } from '@leakwatch/access-control/domain';

export const accessProjection: Projection = {
  name: 'access-control',
  tables: ['ac_orgs', 'ac_api_keys', 'ac_domains'],
  async setup(client) {
    await client.query(`
      CREATE TABLE IF NOT EXISTS ac_orgs (org_id text PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL);
      CREATE TABLE IF NOT EXISTS ac_api_keys (
        key_id text PRIMARY KEY, name text NOT NULL, prefix text NOT NULL, role text NOT NULL, org_id text, user_email text,
        type text NOT NULL, daily_limit integer NOT NULL, expires_at timestamptz, issued_at timestamptz NOT NULL,
        rotated_at timestamptz, revoked_at timestamptz, revision integer NOT NULL);
      CREATE INDEX IF NOT EXISTS ac_api_keys_org ON ac_api_keys (org_id);
      CREATE TABLE IF NOT EXISTS ac_domains (
        org_id text NOT NULL, domain text NOT NULL, status text NOT NULL, token text NOT NULL, method text,
        claimed_at timestamptz NOT NULL, verified_at timestamptz, expires_at timestamptz, revoked_at timestamptz,
        revision integer NOT NULL, PRIMARY KEY (org_id, domain));`);
  },
  filter: { streamCategories: ['org', 'apikey', 'domain'] },
  canHandle: (event) => /^(org|apikey|domain)-/.test(event.streamId),
  async apply(recorded: RecordedEvent, client) {
    const event = accessEventCodec.decode(recorded);
    if (!event) return;
    const rev = recorded.revision;
    switch (event.type) {
      case 'OrganizationCreated':
        await client.query(`INSERT INTO ac_orgs (org_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
          event.data.org_id, event.data.name, recorded.metadata.occurred_at ?? recorded.recordedAt,
        ]);
        return;
      case 'ApiKeyIssued': {
        const d = event.data;
        await client.query(
          `INSERT INTO ac_api_keys (key_id, name, prefix, role, org_id, user_email, type, daily_limit, expires_at, issued_at, revision)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (key_id) DO NOTHING`,
          [d.key_id, d.name, d.prefix, d.role, d.org_id, d.user_email, d.type, d.limit, d.expires_at, d.issued_at, rev],
        );
        return;
      }
      case 'ApiKeyRotated':
        await client.query(`UPDATE ac_api_keys SET prefix = $2, rotated_at = $3, revision = $4 WHERE key_id = $1 AND revision < $4`, [
          event.data.key_id, event.data.prefix, event.data.rotated_at, rev,
        ]);
        return;
      case 'ApiKeyRevoked':
        await client.query(`UPDATE ac_api_keys SET revoked_at = $2, revision = $3 WHERE key_id = $1 AND revision < $3`, [
          event.data.key_id, event.data.revoked_at, rev,
        ]);
        return;
      case 'DomainClaimed':
        await client.query(
          `INSERT INTO ac_domains (org_id, domain, status, token, claimed_at, revision) VALUES ($1,$2,'pending',$3,$4,$5)
           ON CONFLICT (org_id, domain) DO UPDATE SET status = 'pending', token = EXCLUDED.token, claimed_at = EXCLUDED.claimed_at,
             method = NULL, verified_at = NULL, expires_at = NULL, revoked_at = NULL, revision = EXCLUDED.revision
           WHERE ac_domains.revision < EXCLUDED.revision`,
          [event.data.org_id, event.data.domain, event.data.token, event.data.claimed_at, rev],
        );
        return;
      case 'DomainVerified':
        await client.query(
          `UPDATE ac_domains SET status = 'verified', method = $3, verified_at = $4, expires_at = $5, revision = $6
            WHERE org_id = $1 AND domain = $2 AND revision < $6`,
          [event.data.org_id, event.data.domain, event.data.method, event.data.verified_at, event.data.expires_at, rev],
        );
        return;
      case 'DomainRevoked':
        await client.query(`UPDATE ac_domains SET status = 'revoked', revoked_at = $3, revision = $4 WHERE org_id = $1 AND domain = $2 AND revision < $4`, [
          event.data.org_id, event.data.domain, event.data.revoked_at, rev,
        ]);
        return;
    }
  },
};
