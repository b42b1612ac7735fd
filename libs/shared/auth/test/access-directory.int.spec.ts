import type { Pool } from 'pg';
import type { ApiKeyIssuedV1 } from '@leakwatch/contracts';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { AccessDirectory } from '../src/access-directory';

const issued: ApiKeyIssuedV1 = {
  key_id: 'k1', name: 'ci', role: 'admin', org_id: 'o1', user_email: 'sec@acme.example', type: 'private', limit: 10,
  expires_at: null, key_hash: 'h1', prefix: 'lw_aaaaaaaa', issued_at: '2026-01-01T00:00:00.000Z',
};

describe('access directory', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('directory');
  });
  afterAll(async () => pg?.stop());

  it('follows issue, rotation and revocation, and survives a restart', async () => {
    const directory = new AccessDirectory(pool);
    await directory.load();
    await directory.apply({ type: 'ApiKeyIssued', data: issued }, 0);
    expect(directory.findByHash('h1')).toMatchObject({ keyId: 'k1', role: 'admin', orgId: 'o1', revokedAt: null });

    await directory.apply({ type: 'ApiKeyRotated', data: { key_id: 'k1', org_id: 'o1', key_hash: 'h2', prefix: 'lw_bbbbbbbb', rotated_at: '2026-01-02T00:00:00.000Z' } }, 1);
    expect(directory.findByHash('h1')).toBeUndefined();
    expect(directory.findByHash('h2')).toMatchObject({ keyId: 'k1', prefix: 'lw_bbbbbbbb' });

    await directory.apply({ type: 'ApiKeyRevoked', data: { key_id: 'k1', org_id: 'o1', revoked_at: '2026-01-03T00:00:00.000Z' } }, 2);
    // A redelivered older event must not undo the revocation.
    await directory.apply({ type: 'ApiKeyIssued', data: issued }, 0);
    await directory.apply({ type: 'ApiKeyRotated', data: { key_id: 'k1', org_id: 'o1', key_hash: 'h2', prefix: 'lw_bbbbbbbb', rotated_at: '2026-01-02T00:00:00.000Z' } }, 1);
    expect(directory.findByHash('h2')).toMatchObject({ revokedAt: '2026-01-03T00:00:00.000Z', revision: 2 });
    expect(directory.findByHash('h1')).toBeUndefined();

    const restarted = new AccessDirectory(pool);
    await restarted.load();
    expect(restarted.findByHash('h2')).toMatchObject({ keyId: 'k1', revokedAt: '2026-01-03T00:00:00.000Z' });
    expect(restarted.findById('k1')?.keyHash).toBe('h2');
  });

  it('lists only domains verified and not expired at the given time', async () => {
    const directory = new AccessDirectory(pool);
    await directory.load();
    await directory.apply({ type: 'DomainClaimed', data: { org_id: 'o2', domain: 'acme.example', token: 't', claimed_at: '2026-01-01T00:00:00.000Z' } }, 0);
    expect(directory.verifiedDomains('o2')).toEqual([]);
    await directory.apply({ type: 'DomainVerified', data: { org_id: 'o2', domain: 'acme.example', method: 'dns', verified_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-02-01T00:00:00.000Z' } }, 1);
    await directory.apply({ type: 'DomainClaimed', data: { org_id: 'o2', domain: 'pending.example', token: 't', claimed_at: '2026-01-01T00:00:00.000Z' } }, 0);
    expect(directory.verifiedDomains('o2', '2026-01-15T00:00:00.000Z')).toEqual(['acme.example']);
    expect(directory.verifiedDomains('o2', '2026-02-01T00:00:00.000Z')).toEqual([]);
    expect(directory.verifiedDomains('other-org', '2026-01-15T00:00:00.000Z')).toEqual([]);
    await directory.apply({ type: 'DomainRevoked', data: { org_id: 'o2', domain: 'acme.example', revoked_at: '2026-01-10T00:00:00.000Z' } }, 2);
    expect(directory.verifiedDomains('o2', '2026-01-15T00:00:00.000Z')).toEqual([]);
  });
});
