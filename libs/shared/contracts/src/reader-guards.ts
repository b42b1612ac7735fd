/** The small checks the contracts' tolerant readers share (not exported from the lib). */
export type Fields = Record<string, unknown>;

export const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isString = (value: unknown): value is string => typeof value === 'string';
export const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
export const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** `{ name, url? }`: a source needs its name; a missing url reads as null. */
export function readSource(value: unknown): { name: string; url: string | null } | undefined {
  return isObject(value) && isString(value.name) ? { name: value.name, url: stringOrNull(value.url) } : undefined;
}

export function readLocation(value: unknown): Record<string, unknown> | null {
  return isObject(value) ? value : null;
}

/**
 * The folded-attempts fields of a `LeakedTokenUseAttempted`: `count` (an integer ≥ 2) with `first_attempted_at`
 * (its first attempt; `attempted_at` if missing or unreadable), or nothing — a single attempt, as before there
 * were counts. A count that is not an integer ≥ 2 reads as a single attempt.
 */
export function attemptsFolded(data: Fields): { count?: number; first_attempted_at?: string } {
  const count = data.count;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 2) return {};
  return { count, first_attempted_at: isTime(data.first_attempted_at) ? data.first_attempted_at : (data.attempted_at as string) };
}
