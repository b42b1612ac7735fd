/**
 * Issue 15.4 for data recorded before the fix: a `LeakDetected` of a credential that still carries the plain
 * SHA-256 of its password is projected without it, and rows projected before are cleaned when the projection
 * sets up (every start, every rebuild). Real PostgreSQL.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { RecordedEvent } from '@leakwatch/event-store';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { leaksProjection } from '../src/read-model/leaks.projection';

const PASSWORD_HASH = createHash('sha256').update('Summer2026!').digest('hex');
const TOKEN_HASH = createHash('sha256').update('ghp_' + 'b2'.repeat(18)).digest('hex');

function detected(leakid: string, kind: 'token' | 'credential', fingerprint: string): RecordedEvent {
  return {
    id: randomUUID(), type: 'LeakDetected', schemaVersion: 1, streamId: `leak-${leakid}`, revision: 0, position: 1n as never, recordedAt: new Date('2026-11-01T00:00:00Z'),
    metadata: { occurred_at: '2026-11-01T00:00:00.000Z' } as never,
    data: {
      leakid, kind, secret_type: kind === 'token' ? 'github-pat' : 'password', fingerprint, preview: '…(11)', identity: kind === 'credential' ? { email: 'jane@acme.example' } : null,
      site: null, org_id: 'o1', source: { name: 'breach' }, risk: 'high', blockable: kind === 'token', detected_at: '2026-11-01T00:00:00.000Z', finding_id: randomUUID(),
    },
  };
}

describe('leaks projection: no plain password hash (issue 15.4)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let client: PoolClient;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('password_hash');
    client = await pool.connect();
  }, 60_000);
  afterAll(async () => {
    client?.release();
    await pool?.end();
    await pg?.stop();
  });

  it('projects an old credential event without its password hash, and keeps a token fingerprint', async () => {
    await client.query('DROP TABLE IF EXISTS ll_leaks');
    await leaksProjection.setup(client);
    await leaksProjection.apply(detected('a'.repeat(32), 'credential', PASSWORD_HASH), client);
    await leaksProjection.apply(detected('b'.repeat(32), 'token', TOKEN_HASH), client);
    const { rows } = await client.query('SELECT leakid, fingerprint FROM ll_leaks ORDER BY leakid');
    expect(rows).toEqual([{ leakid: 'a'.repeat(32), fingerprint: null }, { leakid: 'b'.repeat(32), fingerprint: TOKEN_HASH }]);
  });

  it('clears password hashes from rows projected before the fix when it sets up', async () => {
    await client.query('DROP TABLE IF EXISTS ll_leaks');
    await leaksProjection.setup(client);
    // A row as the projection wrote it before: the plain SHA-256 of the password.
    await client.query(
      `INSERT INTO ll_leaks (leakid, kind, secret_type, fingerprint, preview, source, sources, risk, blockable, status, first_seen, last_seen, updated_at, revision)
       VALUES ($1, 'credential', 'password', $2, '…(11)', 'breach', '["breach"]', 'high', false, 'open', now(), now(), now(), 0),
              ($3, 'token', 'github-pat', $4, 'ghp_…(40)', 'breach', '["breach"]', 'high', true, 'open', now(), now(), now(), 0)`,
      ['c'.repeat(32), PASSWORD_HASH, 'd'.repeat(32), TOKEN_HASH],
    );
    await leaksProjection.setup(client);
    const dump = (await client.query(`SELECT t::text AS row FROM ll_leaks t`)).rows.map((r) => r.row).join('\n');
    expect(dump).not.toContain(PASSWORD_HASH);
    expect(dump).toContain(TOKEN_HASH);
  });
});
