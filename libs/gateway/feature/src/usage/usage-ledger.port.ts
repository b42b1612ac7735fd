/**
 * Where request slots are reserved: the one place every gateway process agrees on (PostgreSQL in
 * production). A reservation is atomic: it never takes a key's day total past its limit, and may grant
 * fewer slots than asked (0 once the allowance is used up).
 */

export interface Reservation {
  /** Slots granted to the caller, 0..wanted. */
  granted: number;
  /** Slots still unreserved for this key and day after this reservation. */
  remaining: number;
}

/** Admitted requests of one key on one day, since the previous flush of this process. */
export interface UsageBatch {
  /** Event id of the `ApiUsageRecorded` this batch becomes: kept across retries, so a retry is a no-op. */
  id: string;
  keyId: string;
  orgId: string | null;
  day: string;
  requests: number;
  firstRequestAt: string;
  lastRequestAt: string;
}

export interface UsageLedger {
  reserve(keyId: string, day: string, limit: number, wanted: number): Promise<Reservation>;
  /** Gives back slots this process reserved but did not use (on shutdown). */
  release(keyId: string, day: string, slots: number): Promise<void>;
  /** Adds admitted requests to the exact per-day count (`used`) and moves `last_request_at`. */
  record(batch: UsageBatch): Promise<void>;
}

/** Publishes admitted-request batches as integration events (`ApiUsageRecorded`). */
export interface UsageRecorder {
  publish(batch: UsageBatch): Promise<void>;
}
