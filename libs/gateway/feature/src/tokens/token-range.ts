/**
 * The k-anonymity range answer (as Have I Been Pwned's range API): for the first 5 hex digits of a
 * SHA-256, the remaining 59 digits of every fingerprint in that range the caller may see, one per line:
 * `<suffix>:B` blocked (active virtual patch), `<suffix>:L` leaked but not blocked, `<suffix>:P` padding.
 * Lines are padded to a multiple of PAD_TO so the size of the answer does not tell how many leaks are in
 * the range; the padding is derived from the prefix (stable, so the ETag only changes with the data).
 */
import { createHash } from 'node:crypto';

export const PAD_TO = 128;
export const RANGE_PATTERN = /^[0-9a-fA-F]{5}$/;

export interface RangeEntry {
  fingerprint: string;
  blocked: boolean;
}

export interface RangeAnswer {
  body: string;
  etag: string;
}

export function formatRange(prefix: string, entries: readonly RangeEntry[]): RangeAnswer {
  const states = new Map<string, 'B' | 'L'>();
  for (const entry of entries) {
    const suffix = entry.fingerprint.slice(prefix.length);
    if (entry.blocked || !states.has(suffix)) states.set(suffix, entry.blocked ? 'B' : 'L');
  }
  const lines = [...states].map(([suffix, state]) => `${suffix}:${state}`);
  const target = Math.max(PAD_TO, Math.ceil(lines.length / PAD_TO) * PAD_TO);
  for (let i = 0; lines.length < target; i++) {
    const suffix = createHash('sha256').update(`leakwatch-range-padding:${prefix}:${i}`).digest('hex').slice(prefix.length);
    if (!states.has(suffix)) lines.push(`${suffix}:P`);
  }
  lines.sort();
  const body = `${lines.join('\n')}\n`;
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
