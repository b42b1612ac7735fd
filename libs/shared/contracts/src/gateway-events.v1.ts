/**
 * Integration contract of `leakwatch.gateway.v1` (key = API key id).
 * `ApiUsageRecorded`: admitted requests of one API key on one UTC day, aggregated per flush of one gateway
 * process; consumers sum `requests` per (key_id, day). `LeakedTokenUseAttempted`: a presented token matched a leak.
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
  attempted_at: string;
  key_id: string | null;
  /** Whether the gateway reported the token as blocked when it was presented. */
  blocked: boolean;
}

export const LEAKED_TOKEN_USE_ATTEMPTED = 'LeakedTokenUseAttempted';
