/**
 * A list page's items written straight to JSON text: exactly the bytes `JSON.stringify(toView(row))` gives (same
 * keys in the same order, same escaping, the same millisecond UTC times), without decoding each row into an object
 * with `Date`s first. The page query selects LEAK_VIEW_COLUMNS_SQL as an array row (`rowMode: 'array'`); the
 * times come as text formatted by PostgreSQL, so `pg` parses no timestamp and nothing formats one back.
 * `toView` stays the definition (the single leak, the export); a test holds the two equal.
 *
 * Not written by PostgreSQL (`to_json` per value, `row_to_json`): measured, that cost PostgreSQL more CPU than it
 * saved Node, and `json_build_object`/jsonb print spaces the API never had.
 */

/**
 * `Date#toISOString()` of the millisecond `pg` keeps: it truncates the microseconds, as to_char's `MS` does.
 * Holds for the years 0001–9999 (toISOString writes other years with six digits and a sign); tested.
 */
export const isoMillisSql = (sql: string) => `to_char(${sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The columns `leakViewJson` reads, in its order: `ll_leaks`' own and the list's `caller_type`. */
export const LEAK_VIEW_COLUMNS_SQL = [
  'leakid', 'kind', 'secret_type', 'caller_type', 'preview', 'fingerprint', 'status', 'virtual_patch', 'risk', 'blockable',
  'identity_email', 'identity_username', 'site_url', 'site_domain', 'org_id', 'sources', 'sightings', 'attempts',
  isoMillisSql('first_seen'), isoMillisSql('last_seen'), isoMillisSql('fixed_at'), 'revision',
].join(', ');

/** How many columns LEAK_VIEW_COLUMNS_SQL selects (the page query's own columns follow them). */
export const LEAK_VIEW_COLUMN_COUNT = 22;

const string = (value: unknown) => (value === null ? 'null' : JSON.stringify(value));
/** Booleans and integers (as `pg` parses them). */
const scalar = (value: unknown) => (value === null ? 'null' : String(value));
/** A time as isoMillisSql wrote it: already the ISO text, only quoted. */
const time = (value: unknown) => (value === null ? 'null' : `"${value as string}"`);
/** toView's `a || b ? { a, b } : null` (an empty string counts as absent). */
const pair = (keys: [string, string], a: unknown, b: unknown) => (a || b ? `{"${keys[0]}":${string(a)},"${keys[1]}":${string(b)}}` : 'null');

/** One row of LEAK_VIEW_COLUMNS_SQL (array mode) as `JSON.stringify(toView(row))` would write it. */
export function leakViewJson(r: unknown[]): string {
  return (
    `{"leakid":${string(r[0])},"kind":${string(r[1])},"secret_type":${string(r[2])},"type":${string(r[3])},"preview":${string(r[4])}` +
    // Only a token has a fingerprint to return: a credential's would be its password's hash (issue 15.4).
    `,"fingerprint":${r[1] === 'token' ? string(r[5]) : 'null'},"status":${string(r[6])},"virtual_patch":${scalar(r[7])},"risk":${string(r[8])}` +
    `,"blockable":${scalar(r[9])},"identity":${pair(['email', 'username'], r[10], r[11])},"site":${pair(['url', 'domain'], r[12], r[13])}` +
    `,"org_id":${string(r[14])},"sources":${string(r[15])},"sightings":${scalar(r[16])},"attempts":${scalar(r[17])}` +
    `,"first_seen":${time(r[18])},"last_seen":${time(r[19])},"fixed_at":${time(r[20])},"revision":${scalar(r[21])}}`
  );
}
