/**
 * Integration contract of `leakwatch.gateway.v1` (key = API key id).
 * `ApiUsageRecorded`: admitted requests of one API key on one UTC day, aggregated per flush of one gateway
 * process; consumers sum `requests` per (key_id, day). `LeakedTokenUseAttempted`: a presented token matched a leak (repeats folded, with a `count`).
 */
export interface ApiUsageRecordedV1 {
  key_id: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Requests admitted in this batch (not a running total). */
  requests: number;
  first_request_at: string;
  last_request_at: string;
}

export const API_USAGE_RECORDED = 'ApiUsageRecorded';

/** Tolerant check of what a consumer needs (extra fields are ignored). */
export function isApiUsageRecorded(data: unknown): data is Pick<ApiUsageRecordedV1, 'key_id' | 'day' | 'requests' | 'last_request_at'> {
  const d = data as Partial<ApiUsageRecordedV1> | null;
  return (
    typeof d === 'object' && d !== null && typeof d.key_id === 'string' && typeof d.day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d.day) &&
    Number.isInteger(d.requests) && (d.requests as number) > 0 && typeof d.last_request_at === 'string'
  );
}

export interface LeakedTokenUseAttemptedV1 {
  leakid: string;
  /** The attempt's time; for several (`count` > 1), the last one's. */
  attempted_at: string;
  key_id: string | null;
  /** Whether the gateway reported the token as blocked when it was presented. */
  blocked: boolean;
  /**
   * How many attempts this message stands for: a gateway folds the repeated uses of one token by one key in one
   * flush window (and UTC day) into one message. Absent = 1 (and then `first_attempted_at` is absent too).
   */
  count?: number;
  /** With `count` > 1: the first of those attempts' time (`attempted_at` is the last's). */
  first_attempted_at?: string;
}

/** The attempts a `LeakedTokenUseAttempted` (gateway or leak event) stands for: `count`, or 1 when absent. */
export const attemptCount = (data: { count?: number }): number => data.count ?? 1;

export const LEAKED_TOKEN_USE_ATTEMPTED = 'LeakedTokenUseAttempted';
