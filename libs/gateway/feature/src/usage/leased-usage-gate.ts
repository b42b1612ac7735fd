/**
 * Daily request limits that hold across many gateway processes without a database round trip per request.
 *
 * Each process LEASES blocks of request slots from the shared ledger (an atomic reservation that never takes
 * a key's day total past its limit) and admits requests locally from its lease. When the lease is used up it
 * reserves again. The block adapts: 1 slot for a key that is quiet, doubling (up to `maxBlock`) while the key
 * stays busy, and never more than half of what is still unreserved — so near the limit the processes share
 * what is left instead of one hoarding it. Hence: total admitted per key and day ≤ limit, always; a quiet
 * key costs one round trip per request, a busy one one per `maxBlock` requests.
 *
 * A busy key's next block is reserved ahead, while a quarter of the current one is left, so its requests rarely
 * wait for the ledger at all.
 *
 * The price of leasing: a process may hold a few unused slots while another process is refused. A refused
 * process rechecks the ledger every `exhaustedRecheckMs`; unused slots are released on shutdown and
 * otherwise expire with the day (a crashed process's lease is lost — at most `maxBlock` slots per key).
 *
 * Admitted requests are counted exactly and flushed every `flushIntervalMs` (and on shutdown) as one batch
 * per key and day: to `usage_daily.used` and as an `ApiUsageRecorded` event. Refused requests are not counted.
 */
import { randomUUID } from 'node:crypto';
import type { DirectoryKey, UsageDecision, UsageGate } from '@leakwatch/auth';
import { secondsUntilNextUtcMidnight, utcDay } from './usage-day';
import type { UsageBatch, UsageLedger, UsageRecorder } from './usage-ledger.port';

export interface UsageGateOptions {
  /** Largest block a busy key leases at once (default 100). */
  maxBlock: number;
  /** A key whose previous reservation is older than this is "quiet" again: its block falls back to 1 (default 1000 ms). */
  busyWindowMs: number;
  /** After the ledger refused, admit nothing for this long before asking it again (default 2000 ms). */
  exhaustedRecheckMs: number;
  /** How often admitted counts are written out (default 1000 ms). */
  flushIntervalMs: number;
}

export const DEFAULT_USAGE_GATE_OPTIONS: UsageGateOptions = { maxBlock: 100, busyWindowMs: 1000, exhaustedRecheckMs: 2000, flushIntervalMs: 1000 };

/** The ledger could not be reached: the edge answers 503 rather than admitting unchecked traffic. */
export class UsageLedgerUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`usage ledger unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

interface Lease {
  keyId: string;
  day: string;
  available: number;
  /** Size of the last reservation asked for: doubles while the key stays busy. */
  block: number;
  /** At most half of what was left unreserved at the last reservation (at least 1). */
  cap: number;
  lastReservedAt: number;
  exhaustedUntil: number;
  /** What the ledger had left unreserved at this lease's last reservation (for RateLimit-Remaining). */
  unreserved: number;
  reserving?: Promise<void>;
}

interface Pending {
  keyId: string;
  orgId: string | null;
  day: string;
  requests: number;
  /** Times of the first and last request (ms since the epoch): formatted when written out. */
  firstMs: number;
  lastMs: number;
}

export class LeasedUsageGate implements UsageGate {
  private readonly options: UsageGateOptions;
  private readonly leases = new Map<string, Lease>();
  private pending = new Map<string, Pending>();
  /** Batches whose write failed: retried with the same id (the event append is idempotent by it). */
  private retry: UsageBatch[] = [];
  private flushing?: Promise<unknown>;
  private closed = false;
  private today = { start: 0, end: 0, day: '' };

  constructor(
    private readonly ledger: UsageLedger,
    private readonly recorder: UsageRecorder | undefined,
    options: Partial<UsageGateOptions> = {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.options = { ...DEFAULT_USAGE_GATE_OPTIONS, ...options };
  }

  admit(key: DirectoryKey): Promise<UsageDecision> {
    // The common case (slots left in the lease) decides without awaiting anything.
    const now = this.clock();
    const day = this.dayOf(now);
    const decided = this.admitFromLease(key, now, day);
    return decided ? Promise.resolve(decided) : this.admitSlowly(key, now, day);
  }

  /** Admitted from the lease this process holds, or undefined (nothing counted: ask `admit`). */
  admitNow(key: DirectoryKey): UsageDecision | undefined {
    const now = this.clock();
    return this.admitFromLease(key, now, this.dayOf(now));
  }

  private admitFromLease(key: DirectoryKey, now: Date, day: string): UsageDecision | undefined {
    if (this.closed || key.limit <= 0) return undefined;
    const lease = this.leaseFor(key.keyId, day);
    return lease.available > 0 ? this.take(key, lease, day, now) : undefined;
  }

  private take(key: DirectoryKey, lease: Lease, day: string, now: Date): UsageDecision {
    lease.available -= 1;
    this.count(key, day, now);
    // A busy key's next block is reserved while a quarter of this one is left, so its requests do not all
    // stop and wait for the ledger's round trip each time a block runs out (a failure here is met again,
    // and reported, by the request that finds the lease empty).
    if (lease.block > 1 && lease.available <= lease.block / 4 && !lease.reserving && !this.closed && lease.exhaustedUntil <= now.getTime()) {
      lease.reserving = this.reserve(lease, key.limit)
        .catch(() => undefined)
        .finally(() => (lease.reserving = undefined));
    }
    const remaining = Math.min(key.limit, lease.available + lease.unreserved);
    return { allowed: true, limit: key.limit, remaining, resetSeconds: secondsUntilNextUtcMidnight(now) };
  }

  /** `utcDay(now)`, computed once per day rather than per request. */
  private dayOf(now: Date): string {
    const t = now.getTime();
    if (t < this.today.start || t >= this.today.end) {
      const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      this.today = { start, end: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1), day: utcDay(now) };
    }
    return this.today.day;
  }

  private async admitSlowly(key: DirectoryKey, now: Date, day: string): Promise<UsageDecision> {
    const refuse = (): UsageDecision => ({ allowed: false, retryAfterSeconds: secondsUntilNextUtcMidnight(now), limit: key.limit });
    if (this.closed || key.limit <= 0) return refuse();
    const lease = this.leaseFor(key.keyId, day);
    for (;;) {
      if (lease.available > 0) return this.take(key, lease, day, now);
      if (lease.exhaustedUntil > now.getTime() || this.closed) return refuse();
      lease.reserving ??= this.reserve(lease, key.limit).finally(() => (lease.reserving = undefined));
      await lease.reserving;
    }
  }

  /** Writes out what was admitted since the last flush. Safe to call concurrently (flushes are serialised). */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      const batches = [
        ...this.retry,
        ...[...this.pending.values()].map(({ firstMs, lastMs, ...p }): UsageBatch => ({
          id: randomUUID(),
          ...p,
          firstRequestAt: new Date(firstMs).toISOString(),
          lastRequestAt: new Date(lastMs).toISOString(),
        })),
      ];
      this.retry = [];
      this.pending = new Map();
      for (const [id, lease] of this.leases) if (lease.day < utcDay(this.clock()) && !lease.reserving) this.leases.delete(id);
      let failure: unknown;
      for (const batch of batches) {
        try {
          // The event first: its append is idempotent by id, so a retry after a failed `record` adds nothing twice.
          await this.recorder?.publish(batch);
          await this.ledger.record(batch);
        } catch (error) {
          this.retry.push(batch);
          failure ??= error;
        }
      }
      if (failure) throw failure;
    };
    const next = (this.flushing ?? Promise.resolve()).then(run);
    const settled = next.catch(() => undefined);
    this.flushing = settled;
    void settled.then(() => {
      if (this.flushing === settled) this.flushing = undefined;
    });
    return next;
  }

  /** Stops admitting, flushes the counts and gives unused slots of today's leases back to the ledger. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.leases.values()].map((lease) => lease.reserving));
    const today = utcDay(this.clock());
    const unused = [...this.leases.values()].filter((lease) => lease.day === today && lease.available > 0);
    for (const lease of unused) {
      const slots = lease.available;
      lease.available = 0;
      await this.ledger.release(lease.keyId, lease.day, slots);
    }
    await this.flush();
  }

  /** Unused leased slots this process holds for a key today (tests, diagnostics). */
  held(keyId: string): number {
    return this.leases.get(`${keyId}|${utcDay(this.clock())}`)?.available ?? 0;
  }

  private leaseFor(keyId: string, day: string): Lease {
    const id = `${keyId}|${day}`;
    let lease = this.leases.get(id);
    if (!lease) {
      lease = { keyId, day, available: 0, block: 1, cap: this.options.maxBlock, lastReservedAt: 0, exhaustedUntil: 0, unreserved: 0 };
      this.leases.set(id, lease);
    }
    return lease;
  }

  private async reserve(lease: Lease, limit: number): Promise<void> {
    const now = this.clock().getTime();
    const busy = lease.lastReservedAt > 0 && now - lease.lastReservedAt < this.options.busyWindowMs;
    const wanted = Math.max(1, Math.min(busy ? lease.block * 2 : 1, this.options.maxBlock, lease.cap));
    let reservation;
    try {
      reservation = await this.ledger.reserve(lease.keyId, lease.day, limit, wanted);
    } catch (error) {
      throw new UsageLedgerUnavailableError(error);
    }
    lease.available += reservation.granted;
    lease.lastReservedAt = now;
    lease.block = wanted;
    // Near the limit, lease at most half of what is left, so other processes still get their share.
    lease.cap = Math.max(1, Math.floor(reservation.remaining / 2));
    lease.unreserved = reservation.remaining;
    if (reservation.granted === 0) lease.exhaustedUntil = now + this.options.exhaustedRecheckMs;
  }

  private count(key: DirectoryKey, day: string, now: Date): void {
    const id = `${key.keyId}|${day}`;
    const at = now.getTime();
    const current = this.pending.get(id);
    if (current) {
      current.requests += 1;
      if (at > current.lastMs) current.lastMs = at;
    } else {
      this.pending.set(id, { keyId: key.keyId, orgId: key.orgId, day, requests: 1, firstMs: at, lastMs: at });
    }
  }
}
