/**
 * One-off migrations of stored events (es_migrations): issue 15.4 — a credential's plain password hash,
 * recorded before passwords lost their hash, is removed at rest the next time a store opens the database;
 * tokens keep their fingerprint, and the migration runs once.
 */
import { randomUUID } from 'node:crypto';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { PostgresEventStore } from '../src';

let pg: ThrowawayPostgres;
beforeAll(async () => {
  pg = await startThrowawayPostgres();
});
afterAll(async () => pg?.stop());

it('removes a credential password hash from stored events once, and keeps token fingerprints', async () => {
  const pool = await pg.newPool('migrations');
  const store = await PostgresEventStore.create(pool);
  const passwordHash = 'a'.repeat(64);
  const tokenFingerprint = 'b'.repeat(64);
  await store.appendToStream(`finding-${randomUUID()}`, [
    { id: randomUUID(), type: 'FindingReceived', data: { leakid: 'c'.repeat(32), kind: 'credential', fingerprint: passwordHash } },
    { id: randomUUID(), type: 'FindingReceived', data: { leakid: 'd'.repeat(32), kind: 'token', fingerprint: tokenFingerprint } },
  ], { expectedRevision: 'no_stream' });
  await store.appendToStream(`leak-${'c'.repeat(32)}`, [
    { id: randomUUID(), type: 'LeakDetected', data: { leakid: 'c'.repeat(32), kind: 'credential', fingerprint: passwordHash } },
  ], { expectedRevision: 'no_stream' });
  // As an installation from before the fix: the migration has not run on these rows.
  await pool.query(`DELETE FROM es_migrations`);

  await PostgresEventStore.create(pool); // the next start
  const { rows } = await pool.query<{ data: string }>(`SELECT data::text AS data FROM es_events`);
  expect(rows.map((r) => r.data).join('\n')).not.toContain(passwordHash);
  expect(rows.filter((r) => r.data.includes(tokenFingerprint))).toHaveLength(1);
  expect((await pool.query(`SELECT name FROM es_migrations ORDER BY name`)).rows).toEqual([{ name: '2026-12-credential-password-hash' }, { name: '2026-12-event-hash-chain' }]);

  // Once applied, later starts do not rewrite events again.
  await pool.query(`UPDATE es_events SET data = jsonb_set(data, '{fingerprint}', to_jsonb($1::text)) WHERE data->>'kind' = 'credential'`, [passwordHash]);
  await PostgresEventStore.create(pool);
  expect((await pool.query(`SELECT count(*)::int AS n FROM es_events WHERE data->>'fingerprint' = $1`, [passwordHash])).rows[0].n).toBe(2);
});
