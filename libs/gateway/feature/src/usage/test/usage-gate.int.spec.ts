/**
 * The usage gate against real PostgreSQL: two gates with their own pools stand for two gateway processes
 * sharing one database. Whatever the interleaving, a key's day total never passes its limit.
 */
import { Pool } from 'pg';
import type { DirectoryKey } from '@leakwatch/auth';
import { PostgresEventStore } from '@leakwatch/event-store';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { LeasedUsageGate } from '../leased-usage-gate';
import { PostgresUsageLedger } from '../postgres-usage-ledger';
import { utcDay } from '../usage-day';
import { API_USAGE_RECORDED, EventStoreUsageRecorder, usageStream } from '../usage-events';

const key = (keyId: string, limit: number): DirectoryKey => ({
  keyId, keyHash: `h-${keyId}`, prefix: 'lw_x', name: 'n', role: 'admin', orgId: 'org-1', userEmail: null, type: 'public', limit,
  expiresAt: null, issuedAt: '2026-01-01T00:00:00.000Z', revokedAt: null, revision: 0,
});

describe('usage gate (PostgreSQL, two processes)', () => {
  let pg: ThrowawayPostgres;
  let url: string;
  const pools: Pool[] = [];
  const processPool = () => {
    const pool = new Pool({ connectionString: url, max: 10 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    url = await pg.newDatabase('usage');
    await new PostgresUsageLedger(processPool()).setup();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await pg?.stop();
  });

  const startGate = async () => {
    const pool = processPool();
    const ledger = new PostgresUsageLedger(pool);
    await ledger.setup();
    const store = await PostgresEventStore.create(pool);
    return { gate: new LeasedUsageGate(ledger, new EventStoreUsageRecorder(store)), ledger, store };
  };

  it('admits exactly 50 of 200 concurrent requests for a key with limit 50 across two gates', async () => {
    const a = await startGate();
    const b = await startGate();
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).gate.admit(key('k50', 50))));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
    const refused = decisions.find((d) => !d.allowed);
    expect(refused).toMatchObject({ allowed: false, limit: 50, retryAfterSeconds: expect.any(Number) });

    await Promise.all([a.gate.flush(), b.gate.flush()]);
    const row = await a.ledger.read('k50', utcDay(new Date()));
    expect(row).toMatchObject({ count: 50, used: 50 });
    expect(row?.lastRequestAt).toBeInstanceOf(Date);

    const events = await a.store.readStream(usageStream('k50', utcDay(new Date())));
    expect(events.every((e) => e.type === API_USAGE_RECORDED)).toBe(true);
    expect(events.reduce((sum, e) => sum + (e.data as { requests: number }).requests, 0)).toBe(50);
  });

  it('keeps the limit over sustained traffic in waves, with far fewer reservations than requests', async () => {
    const a = await startGate();
    const b = await startGate();
    const reservations = jest.spyOn(a.ledger, 'reserve');
    let allowed = 0;
    for (let wave = 0; wave < 10; wave++) {
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).gate.admit(key('k-busy', 700))));
      allowed += decisions.filter((d) => d.allowed).length;
    }
    expect(allowed).toBe(700);
    expect(reservations.mock.calls.length).toBeLessThan(100);
    await Promise.all([a.gate.close(), b.gate.close()]);
    expect(await a.ledger.read('k-busy', utcDay(new Date()))).toMatchObject({ count: 700, used: 700 });
  });

  it('gives unused leased slots back on shutdown', async () => {
    const a = await startGate();
    for (let i = 0; i < 10; i++) await a.gate.admit(key('k-release', 1000));
    await a.gate.close();
    expect(await a.ledger.read('k-release', utcDay(new Date()))).toMatchObject({ count: 10, used: 10 });
  });
});
