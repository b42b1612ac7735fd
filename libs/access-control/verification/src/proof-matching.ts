/**
 * What counts as a proof once the bytes are in hand — pure, so the tolerance rules are unit-tested apart
 * from the network.
 */
import { challengeRecordValue } from './ownership-checker.port';

/**
 * `records` as `resolveTxt` returns them: one array per TXT record, one string per <character-string>.
 * A long value split by the DNS provider into several strings is joined back (RFC 7208 §3.3 does the same
 * for SPF); any one record matching proves ownership, so the name may also carry SPF, other vendors' tokens, etc.
 */
export function txtRecordsProve(records: readonly (readonly string[])[], token: string): boolean {
  const expected = challengeRecordValue(token);
  return records.some((chunks) => chunks.join('').trim() === expected);
}

/**
 * The well-known file proves ownership when one of its lines (trimmed, BOM and CRLF tolerated) is
 * `leakwatch-verification=<token>` — or the bare `<token>`: other verifiers (Google, Atlassian…) ask for the
 * bare value, users copy that habit, and the random token is as unguessable either way.
 */
export function wellKnownContentProves(body: string, token: string): boolean {
  const expected = challengeRecordValue(token);
  return body
    .replace(/^\uFEFF/, '')
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .some((line) => line === expected || line === token);
}
