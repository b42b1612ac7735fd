/**
 * Allowances are per UTC day: a key's counter starts again at 00:00:00 UTC.
 */

/** `YYYY-MM-DD` of the UTC day containing `at`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Seconds until the next UTC midnight, rounded up and at least 1 (a `Retry-After` of 0 invites a busy loop). */
export function secondsUntilNextUtcMidnight(at: Date): number {
  const next = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - at.getTime()) / 1000));
}
