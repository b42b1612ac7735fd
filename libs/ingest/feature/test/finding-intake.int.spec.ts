/**
 * Flat-memory, all-or-nothing intake against real PostgreSQL: findings are staged chunk by chunk while a
 * report is read (nothing is published yet), one statement publishes them all; an abandoned batch (a report
 * that broke a limit, a request that died) publishes nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { PostgresEventStore } from '@leakwatch/event-store';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { ANALYZE_AFTER, FindingIntake } from '../src/application/finding-intake';

const admin: Caller = { keyId: 'k1', role: 'admin', orgId: 'o1', verifiedDomains: [] };
const token = (n: number) => ({ kind: 'token' as const, secret: `ghp_${n.toString(16).padStart(36, '0')}`, secretType: 'github-pat', source: { name: 'gitleaks' }, risk: 'high' as const });

describe('finding intake: staged chunks, one publish', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let store: PostgresEventStore;
  let intake: FindingIntake;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('intake');
    store = await PostgresEventStore.create(pool);
    intake = new FindingIntake(store, pool, randomBytes(32));
    await intake.onModuleInit();
  });
  afterAll(async () => {
    intake?.onModuleDestroy();
    await store?.close();
    await pg?.stop();
  });
  const count = async (sql: string, params: unknown[] = []) => Number((await pool.query(sql, params)).rows[0].n);

  it('stages chunks while reading, publishes every finding in one statement, and counts duplicates', async () => {
    const batch = intake.begin(admin);
    const added = [];
    for (let n = 0; n < 2500; n++) {
      added.push(batch.add(token(n)));
      await batch.pressure();
    }
    for (let i = 0; i < 100 && (await count(`SELECT count(*) AS n FROM ingest_staged_findings WHERE batch_id = $1`, [batch.batchId])) < 2000; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Two full chunks are in PostgreSQL already (the process keeps at most the current chunk), none published.
    expect(await count(`SELECT count(*) AS n FROM ingest_staged_findings WHERE batch_id = $1`, [batch.batchId])).toBe(2000);
    expect(await count(`SELECT count(*) AS n FROM es_events`)).toBe(0);

    const result = await intake.commit(batch);
    expect(result).toMatchObject({ created: 2500, duplicates: 0, batch_id: batch.batchId });
    expect(result.leakids).toEqual(added.map((f) => f.leakid)); // in report order
    expect(await count(`SELECT count(*) AS n FROM es_events WHERE event_type = 'FindingReceived'`)).toBe(2500);
    expect(await count(`SELECT count(DISTINCT stream_id) AS n FROM es_events WHERE stream_id LIKE $1`, [`finding-${batch.batchId}-%`])).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM ingest_staged_findings`)).toBe(0);
    // The published events read back through the store, in order, 1000 per stream.
    const third = await store.readStream(`finding-${batch.batchId}-2`);
    expect(third.map((e) => e.revision)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(third.map((e) => e.data)).toEqual(added.slice(2000)); // each finding as staged, in order
    expect(third[0].metadata).toMatchObject({ correlation_id: batch.batchId, actor: { key_id: 'k1', org_id: 'o1', role: 'admin' } });

    const again = await intake.accept(admin, [token(1), token(99_999)]);
    expect(again).toMatchObject({ created: 1, duplicates: 1 });
  });

  it('a batch that is never committed (a broken limit, a dead request) publishes nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM es_events`);
    const leaksBefore = await count(`SELECT count(*) AS n FROM ingest_leaks`);
    const batch = intake.begin(admin);
    for (let n = 0; n < 1500; n++) batch.add(token(500_000 + n));
    await new Promise((r) => setTimeout(r, 200));
    expect(await count(`SELECT count(*) AS n FROM es_events`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM ingest_leaks`)).toBe(leaksBefore);
  });

  it('refreshes the event table\'s statistics after a big publish, not after a small one', async () => {
    const analyses = () => count(`SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'es_events'`);
    const small = await analyses();
    await intake.accept(admin, [token(700_000), token(700_001)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await analyses()).toBe(small);
    const batch = intake.begin(admin);
    for (let n = 0; n < ANALYZE_AFTER; n++) {
      batch.add(token(800_000 + n));
      await batch.pressure();
    }
    await intake.commit(batch);
    for (let i = 0; i < 100 && (await analyses()) === small; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await analyses()).toBe(small + 1); // analyze_count: manual ANALYZEs only (autovacuum's are counted apart)
  }, 60_000);
});
