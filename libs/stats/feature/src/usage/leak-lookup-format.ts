/**
 * The Leak-Lookup `stats` API's wire format, byte for byte: `error` is the STRING "true"/"false", keys come
 * in the documented order, dates are `Y-m-d` / `Y-m-d H:i:s` in UTC. Pure: the controller feeds it the key
 * and today's count.
 */
import type { DirectoryKey } from '@leakwatch/auth';

export const LEAK_LOOKUP_ERRORS = {
  missingKey: 'MISSING API KEY',
  missingParameters: 'MISSING REQUIRED PARAMETERS',
  emptyValue: 'EMPTY VALUE DETECTED',
  invalidKey: 'INVALID API KEY',
} as const;
export type LeakLookupError = (typeof LEAK_LOOKUP_ERRORS)[keyof typeof LEAK_LOOKUP_ERRORS];

/** What a key without an expiry reports: a valid `Y-m-d H:i:s` far in the future, so clients parsing the field keep working. */
export const NO_EXPIRY = '9999-12-31 23:59:59';

export interface LeakLookupStats {
  status: 'active' | 'inactive';
  type: 'public' | 'private' | 'inactive';
  added: string;
  updated: string;
  expiry: string;
  requests: number;
  limit: number;
}

/** `Y-m-d H:i:s` (UTC). */
export function ymdHis(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** `Y-m-d` (UTC). */
export function ymd(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function keyStats(key: DirectoryKey, requestsToday: number, now: Date): LeakLookupStats {
  const expired = key.expiresAt !== null && key.expiresAt <= now.toISOString();
  const active = !key.revokedAt && !expired;
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  // Built field by field: this order IS the wire format.
  return {
    status: active ? 'active' : 'inactive',
    type: active ? key.type : 'inactive',
    added: ymd(new Date(key.issuedAt)),
    updated: ymdHis(midnight),
    expiry: key.expiresAt ? ymdHis(new Date(key.expiresAt)) : NO_EXPIRY,
    requests: requestsToday,
    limit: key.limit,
  };
}

export function successBody(stats: LeakLookupStats): string {
  return JSON.stringify({ error: 'false', message: stats });
}

export function errorBody(message: LeakLookupError): string {
  return JSON.stringify({ error: 'true', message });
}

export type StatsRequest = { kind: 'error'; message: LeakLookupError } | { kind: 'key'; key: string };

/**
 * Reads the `key` parameter from a parsed form or JSON body. No parameters at all (no body, an empty one, or
 * not an object) → MISSING REQUIRED PARAMETERS; parameters but no `key` → MISSING API KEY; `key` empty →
 * EMPTY VALUE DETECTED.
 */
export function readStatsRequest(body: unknown): StatsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length === 0) {
    return { kind: 'error', message: LEAK_LOOKUP_ERRORS.missingParameters };
  }
  if (!Object.prototype.hasOwnProperty.call(body, 'key')) return { kind: 'error', message: LEAK_LOOKUP_ERRORS.missingKey };
  const value = (body as Record<string, unknown>).key;
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return { kind: 'error', message: LEAK_LOOKUP_ERRORS.emptyValue };
  }
  // A number, array or object is not a key anyone was given.
  if (typeof value !== 'string') return { kind: 'error', message: LEAK_LOOKUP_ERRORS.invalidKey };
  return { kind: 'key', key: value.trim() };
}
