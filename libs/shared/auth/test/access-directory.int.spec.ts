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

  it('resolves a key another process wrote to the shared table, and never brings back a rotated-away hash', async () => {
    const writer = new AccessDirectory(pool); // e.g. the access-control service, sharing the database
    const reader = new AccessDirectory(pool); // e.g. the gateway, whose access feed has not delivered yet
    await writer.load();
    await reader.load();
    const key = { ...issued, key_id: 'k9', key_hash: 'h9' };
    await writer.apply({ type: 'ApiKeyIssued', data: key }, 0);
    expect(reader.findByHash('h9')).toBeUndefined();
    expect(await reader.resolve('h9')).toMatchObject({ keyId: 'k9', revokedAt: null });
    expect(await reader.resolve('no-such-hash')).toBeUndefined();

    await writer.apply({ type: 'ApiKeyRotated', data: { key_id: 'k9', org_id: 'o1', key_hash: 'h10', prefix: 'lw_cccccccc', rotated_at: '2026-01-02T00:00:00.000Z' } }, 1);
    expect(await reader.resolve('h10')).toMatchObject({ keyId: 'k9', revision: 1 });
    expect(reader.findByHash('h9')).toBeUndefined();
    // The late feed delivers the old issue event: the newer table row wins, the old hash stays dead.
    await reader.apply({ type: 'ApiKeyIssued', data: key }, 0);
    expect(reader.findByHash('h9')).toBeUndefined();
    expect(await reader.resolve('h9')).toBeUndefined();

    await writer.apply({ type: 'ApiKeyRevoked', data: { key_id: 'k9', org_id: 'o1', revoked_at: '2026-01-03T00:00:00.000Z' } }, 2);
    // An event older than the shared table takes the table's newer state (the revocation), not its own.
    const late = new AccessDirectory(pool);
    await late.apply({ type: 'ApiKeyIssued', data: { ...key, key_hash: 'h10' } }, 0);
    expect(late.findById('k9')).toMatchObject({ revokedAt: '2026-01-03T00:00:00.000Z', revision: 2 });
  });

  it('applies events one at a time, so a concurrent older delivery never overwrites a newer one', async () => {
    const directory = new AccessDirectory(pool);
    await directory.load();
    const key = { ...issued, key_id: 'k20', key_hash: 'h20' };
    await Promise.all([
      directory.apply({ type: 'ApiKeyIssued', data: key }, 0),
      directory.apply({ type: 'ApiKeyRevoked', data: { key_id: 'k20', org_id: 'o1', revoked_at: '2026-01-03T00:00:00.000Z' } }, 1),
      directory.apply({ type: 'ApiKeyIssued', data: key }, 0),
    ]);
    expect(directory.findByHash('h20')).toMatchObject({ revokedAt: '2026-01-03T00:00:00.000Z', revision: 1 });
  });

  it('lists only domains verified and not expired at the given time', async () => {
    const directory = new AccessDirectory(pool);
    await directory.load();
    await directory.apply({ type: 'DomainClaimed', data: { org_id: 'o2', domain: 'acme.example', token: 't', claimed_at: '2026-01-01T00:00:00.000Z' } }, 0);
    expect(directory.verifiedDomains('o2', '2026-01-15T00:00:00.000Z')).toEqual([]);
    await directory.apply({ type: 'DomainVerified', data: { org_id: 'o2', domain: 'acme.example', method: 'dns', verified_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-02-01T00:00:00.000Z' } }, 1);
    await directory.apply({ type: 'DomainClaimed', data: { org_id: 'o2', domain: 'pending.example', token: 't', claimed_at: '2026-01-01T00:00:00.000Z' } }, 0);
    expect(directory.verifiedDomains('o2', '2026-01-15T00:00:00.000Z')).toEqual(['acme.example']);
    expect(directory.verifiedDomains('o2', '2026-02-01T00:00:00.000Z')).toEqual([]);
    expect(directory.verifiedDomains('other-org', '2026-01-15T00:00:00.000Z')).toEqual([]);
    await directory.apply({ type: 'DomainRevoked', data: { org_id: 'o2', domain: 'acme.example', revoked_at: '2026-01-10T00:00:00.000Z' } }, 2);
    expect(directory.verifiedDomains('o2', '2026-01-15T00:00:00.000Z')).toEqual([]);
    // Answers are remembered per organisation: a later verification still shows at once, and a caller's copy is its own.
    await directory.apply({ type: 'DomainVerified', data: { org_id: 'o2', domain: 'acme.example', method: 'dns', verified_at: '2026-01-20T00:00:00.000Z', expires_at: '2026-03-01T00:00:00.000Z' } }, 3);
    directory.verifiedDomains('o2', '2026-01-25T00:00:00.000Z').push('mutated.example');
    expect(directory.verifiedDomains('o2', '2026-01-25T00:00:00.000Z')).toEqual(['acme.example']);
    expect(directory.verifiedDomains('o2', '2026-03-01T00:00:00.000Z')).toEqual([]);
  });
});
