/**
 * The leasing logic against an in-memory ledger: limits hold across gate instances, busy keys lease bigger
 * blocks (fewer ledger round trips), refusals say when the allowance comes back, counts are exact.
 */
import { rateLimitHeaders, type DirectoryKey } from '@leakwatch/auth';
import { LeasedUsageGate, UsageLedgerUnavailableError } from '../leased-usage-gate';
import { secondsUntilNextUtcMidnight, utcDay } from '../usage-day';
import type { Reservation, UsageBatch, UsageLedger, UsageRecorder } from '../usage-ledger.port';

class FakeLedger implements UsageLedger {
  readonly reserved = new Map<string, number>();
  readonly used = new Map<string, number>();
  reservations: number[] = [];
  failing = false;

  async reserve(keyId: string, day: string, limit: number, wanted: number): Promise<Reservation> {
    await new Promise((r) => setImmediate(r)); // a round trip: other requests interleave
    if (this.failing) throw new Error('connection refused');
    const id = `${keyId}|${day}`;
    const count = this.reserved.get(id) ?? 0;
    const granted = Math.min(wanted, Math.max(limit - count, 0));
    this.reserved.set(id, count + granted);
    this.reservations.push(wanted);
    return { granted, remaining: limit - count - granted };
  }

  async release(keyId: string, day: string, slots: number): Promise<void> {
    const id = `${keyId}|${day}`;
    this.reserved.set(id, (this.reserved.get(id) ?? 0) - slots);
  }

  async record(batch: UsageBatch): Promise<void> {
    const id = `${batch.keyId}|${batch.day}`;
    this.used.set(id, (this.used.get(id) ?? 0) + batch.requests);
  }
}

class FakeRecorder implements UsageRecorder {
  batches: UsageBatch[] = [];
  async publish(batch: UsageBatch): Promise<void> {
    if (!this.batches.some((b) => b.id === batch.id)) this.batches.push(batch);
  }
}

const key = (limit: number, keyId = 'k1'): DirectoryKey => ({
  keyId, keyHash: 'h', prefix: 'lw_x', name: 'n', role: 'admin', orgId: 'org-1', userEmail: null, type: 'public', limit,
  expiresAt: null, issuedAt: '2026-01-01T00:00:00.000Z', revokedAt: null, revision: 0,
});

describe('LeasedUsageGate', () => {
  let now: Date;
  const clock = () => now;
  beforeEach(() => (now = new Date('2026-11-25T22:00:00.000Z')));

  it('admits exactly `limit` requests of a key per UTC day, then refuses until midnight', async () => {
    const gate = new LeasedUsageGate(new FakeLedger(), undefined, {}, clock);
    const decisions = [];
    for (let i = 0; i < 8; i++) decisions.push(await gate.admit(key(5)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(decisions.slice(5)).toEqual(Array(3).fill({ allowed: false, retryAfterSeconds: 7200, limit: 5 }));
  });

  it('says how many requests are left today and when the allowance comes back (RateLimit-* headers)', async () => {
    const gate = new LeasedUsageGate(new FakeLedger(), undefined, {}, clock);
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await gate.admit(key(5)));
    expect(decisions.slice(0, 5)).toEqual([4, 3, 2, 1, 0].map((remaining) => ({ allowed: true, limit: 5, remaining, resetSeconds: 7200 })));
    expect(rateLimitHeaders(decisions[1])).toEqual({ 'RateLimit-Limit': '5', 'RateLimit-Remaining': '3', 'RateLimit-Reset': '7200', 'RateLimit-Policy': '5;w=86400' });
    expect(rateLimitHeaders(decisions[5])).toEqual({ 'RateLimit-Limit': '5', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '7200', 'RateLimit-Policy': '5;w=86400' });
  });

  it('holds the limit across several gates (processes) sharing one ledger under concurrency', async () => {
    const ledger = new FakeLedger();
    const gates = [0, 1, 2].map(() => new LeasedUsageGate(ledger, undefined, {}, clock));
    const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => gates[i % 3].admit(key(50))));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
    expect(ledger.reserved.get(`k1|${utcDay(now)}`)).toBe(50);
  });

  it('starts with single slots and doubles the block while a key is busy, up to maxBlock; most requests skip the ledger', async () => {
    const ledger = new FakeLedger();
    const gate = new LeasedUsageGate(ledger, undefined, { maxBlock: 16 }, clock);
    for (let i = 0; i < 200; i++) expect(await gate.admit(key(1_000_000))).toMatchObject({ allowed: true });
    expect(ledger.reservations.slice(0, 6)).toEqual([1, 2, 4, 8, 16, 16]);
    expect(ledger.reservations.length).toBeLessThan(20);
  });

  it('admitNow decides only from slots already held: nothing counted when the lease is empty', async () => {
    const ledger = new FakeLedger();
    const recorder = new FakeRecorder();
    const gate = new LeasedUsageGate(ledger, recorder, { maxBlock: 16 }, clock);
    expect(gate.admitNow(key(100))).toBeUndefined(); // nothing leased yet: the caller must await admit
    expect(ledger.reservations).toEqual([]);
    await gate.admit(key(100)); // leases 1, uses it
    await gate.admit(key(100)); // leases 2, uses 1
    expect(gate.held('k1')).toBe(1);
    expect(gate.admitNow(key(100))).toMatchObject({ allowed: true, limit: 100 });
    expect(gate.held('k1')).toBe(0);
    await gate.flush();
    expect(recorder.batches.reduce((n, b) => n + b.requests, 0)).toBe(3); // the sync admission was counted, once
  });

  it("reserves a busy key's next block while a quarter of the current one is left, so its requests do not wait for the ledger", async () => {
    const ledger = new FakeLedger();
    const gate = new LeasedUsageGate(ledger, undefined, { maxBlock: 16 }, clock);
    for (let i = 0; i < 40; i++) await gate.admit(key(1_000_000)); // busy: blocks up to 16
    const roundTrip = () => new Promise((r) => setImmediate(r));
    let waited = 0;
    for (let i = 0; i < 300; i++) {
      if (!gate.admitNow(key(1_000_000))) {
        waited++;
        await gate.admit(key(1_000_000));
      }
      await roundTrip(); // time passes between requests: one ledger round trip
    }
    expect(waited).toBe(0);
    expect(ledger.reservations.slice(-5)).toEqual([16, 16, 16, 16, 16]);
    expect(gate.held('k1')).toBeLessThanOrEqual(16 + 4); // at most a block and its last quarter
  });

  it('falls back to single slots for a key that went quiet', async () => {
    const ledger = new FakeLedger();
    const gate = new LeasedUsageGate(ledger, undefined, { busyWindowMs: 1000 }, clock);
    for (let i = 0; i < 4; i++) await gate.admit(key(1000)); // leases 1, 2, 4 → 3 slots left
    now = new Date(now.getTime() + 60_000);
    for (let i = 0; i < 4; i++) await gate.admit(key(1000)); // 3 from the lease, then quiet → 1
    expect(ledger.reservations).toEqual([1, 2, 4, 1]);
  });

  it('never leases more than half of what is left, so other processes keep a share near the limit', async () => {
    const ledger = new FakeLedger();
    const gate = new LeasedUsageGate(ledger, undefined, { maxBlock: 100 }, clock);
    for (let i = 0; i < 19; i++) await gate.admit(key(20));
    expect(Math.max(...ledger.reservations)).toBeLessThanOrEqual(10);
    expect(ledger.reserved.get(`k1|${utcDay(now)}`)).toBeLessThanOrEqual(20);
  });

  it('starts a fresh allowance at UTC midnight', async () => {
    const gate = new LeasedUsageGate(new FakeLedger(), undefined, {}, clock);
    for (let i = 0; i < 3; i++) await gate.admit(key(3));
    expect((await gate.admit(key(3))).allowed).toBe(false);
    now = new Date('2026-11-26T00:00:00.500Z');
    expect(await gate.admit(key(3))).toMatchObject({ allowed: true });
  });

  it('rechecks the ledger after a refusal, so slots released by another process are used', async () => {
    const ledger = new FakeLedger();
    const a = new LeasedUsageGate(ledger, undefined, { exhaustedRecheckMs: 2000 }, clock);
    const b = new LeasedUsageGate(ledger, undefined, { exhaustedRecheckMs: 2000 }, clock);
    for (let i = 0; i < 5; i++) await a.admit(key(10)); // a leases 1 + 2 + 3 (capped: half of 7 left) = 6, uses 5
    expect(a.held('k1')).toBe(1);
    for (let i = 0; i < 4; i++) expect((await b.admit(key(10))).allowed).toBe(true);
    expect((await b.admit(key(10))).allowed).toBe(false);
    await a.close(); // gives its unused slot back
    expect((await b.admit(key(10))).allowed).toBe(false); // still within the recheck pause
    now = new Date(now.getTime() + 2001);
    expect((await b.admit(key(10))).allowed).toBe(true);
  });

  it('counts admitted requests exactly and flushes them once per key and day, as events and in the ledger', async () => {
    const ledger = new FakeLedger();
    const recorder = new FakeRecorder();
    const gate = new LeasedUsageGate(ledger, recorder, {}, clock);
    for (let i = 0; i < 7; i++) await gate.admit(key(5));
    await gate.admit(key(100, 'k2'));
    await gate.flush();
    expect(recorder.batches.map((b) => [b.keyId, b.day, b.requests])).toEqual([['k1', '2026-11-25', 5], ['k2', '2026-11-25', 1]]);
    expect(ledger.used.get('k1|2026-11-25')).toBe(5);
    await gate.flush();
    expect(recorder.batches).toHaveLength(2);
  });

  it('keeps a batch whose write failed and retries it with the same event id', async () => {
    const ledger = new FakeLedger();
    const recorder = new FakeRecorder();
    const record = jest.spyOn(ledger, 'record').mockRejectedValueOnce(new Error('db down'));
    const gate = new LeasedUsageGate(ledger, recorder, {}, clock);
    await gate.admit(key(5));
    await expect(gate.flush()).rejects.toThrow('db down');
    await gate.admit(key(5));
    await gate.flush();
    expect(record).toHaveBeenCalledTimes(3);
    expect(recorder.batches).toHaveLength(2); // the retried batch's event was not appended twice
    expect(ledger.used.get('k1|2026-11-25')).toBe(2);
  });

  it('releases unused leased slots on close and admits nothing afterwards', async () => {
    const ledger = new FakeLedger();
    const gate = new LeasedUsageGate(ledger, undefined, {}, clock);
    for (let i = 0; i < 4; i++) await gate.admit(key(100)); // leases 1 + 2 + 4 = 7
    expect(gate.held('k1')).toBe(3);
    await gate.close();
    expect(ledger.reserved.get('k1|2026-11-25')).toBe(4);
    expect((await gate.admit(key(100))).allowed).toBe(false);
  });

  it('reports an unreachable ledger as such (the edge answers 503), never admitting unchecked', async () => {
    const ledger = new FakeLedger();
    ledger.failing = true;
    const gate = new LeasedUsageGate(ledger, undefined, {}, clock);
    await expect(gate.admit(key(5))).rejects.toBeInstanceOf(UsageLedgerUnavailableError);
    ledger.failing = false;
    expect(await gate.admit(key(5))).toMatchObject({ allowed: true });
  });

  it('refuses keys with a zero limit', async () => {
    const gate = new LeasedUsageGate(new FakeLedger(), undefined, {}, clock);
    expect(await gate.admit(key(0))).toMatchObject({ allowed: false, limit: 0 });
  });

  it('computes Retry-After as the seconds to the next UTC midnight (at least 1)', () => {
    expect(secondsUntilNextUtcMidnight(new Date('2026-11-25T23:59:59.200Z'))).toBe(1);
    expect(secondsUntilNextUtcMidnight(new Date('2026-11-25T00:00:00.000Z'))).toBe(86400);
    expect(secondsUntilNextUtcMidnight(new Date('2026-12-31T12:00:00.000Z'))).toBe(43200);
  });
});
