/**
 * Repeated attempts folded into one report. A blocked token is rarely tried once: a bot or a misconfigured
 * client presents it again and again, and one `LeakedTokenUseAttempted` per request would write one event per
 * request into the leak's history, its version log and the statistics. Attempts of one token (leak), by one key,
 * with one verdict, on one UTC day, seen within one flush window, become one report with a `count`, the first
 * attempt's time and the last's (`attempted_at`). A single attempt is reported exactly as before counts existed.
 */
import { LeakedTokenUseAttemptedV1, attemptCount } from '@leakwatch/contracts';

export type AttemptRecord = LeakedTokenUseAttemptedV1;

interface Folded {
  leakid: string;
  key_id: string | null;
  blocked: boolean;
  count: number;
  first: string;
  last: string;
}

/** Attempts of the current window, folded as they arrive (memory grows with distinct tokens, not requests). */
export class AttemptFolder {
  private readonly folded = new Map<string, Folded>();

  /** Distinct reports pending. */
  get size(): number {
    return this.folded.size;
  }

  /** Adds one attempt (or an already folded report); false when it would start a new report and `limit` are pending. */
  add(attempt: AttemptRecord, limit = Infinity): boolean {
    const key = `${attempt.leakid}|${attempt.key_id ?? ''}|${attempt.blocked}|${attempt.attempted_at.slice(0, 10)}`;
    const count = attemptCount(attempt);
    const first = attempt.first_attempted_at ?? attempt.attempted_at;
    const known = this.folded.get(key);
    if (known) {
      known.count += count;
      if (first < known.first) known.first = first;
      if (attempt.attempted_at > known.last) known.last = attempt.attempted_at;
      return true;
    }
    if (this.folded.size >= limit) return false;
    this.folded.set(key, { leakid: attempt.leakid, key_id: attempt.key_id, blocked: attempt.blocked, count, first, last: attempt.attempted_at });
    return true;
  }

  /** The pending reports, in the order their first attempt arrived; the folder is empty afterwards. */
  take(): AttemptRecord[] {
    const reports = [...this.folded.values()].map(
      ({ leakid, key_id, blocked, count, first, last }): AttemptRecord =>
        count > 1 ? { leakid, attempted_at: last, key_id, blocked, count, first_attempted_at: first } : { leakid, attempted_at: last, key_id, blocked },
    );
    this.folded.clear();
    return reports;
  }
}
