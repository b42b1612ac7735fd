/**
 * Export rows as text: CSV (RFC 4180 quoting, one header row) and NDJSON. A cell a spreadsheet would run as a
 * formula (starting with = + - @, or a tab/carriage return) gets a leading `'` (OWASP "CSV injection").
 */
import type { LeakView } from '../read-model/leak-queries';
import { csvLine } from '@leakwatch/runtime';

export const LEAK_CSV_COLUMNS = [
  'leakid', 'type', 'kind', 'secret_type', 'preview', 'fingerprint', 'status', 'virtual_patch', 'risk', 'blockable',
  'identity_email', 'identity_username', 'site_url', 'site_domain', 'org_id', 'sources', 'sightings', 'attempts',
  'first_seen', 'last_seen', 'fixed_at', 'revision',
] as const;

export function leakCsvRow(leak: LeakView): string {
  const row: Record<(typeof LEAK_CSV_COLUMNS)[number], unknown> = {
    leakid: leak.leakid, type: leak.type, kind: leak.kind, secret_type: leak.secret_type, preview: leak.preview, fingerprint: leak.fingerprint,
    status: leak.status, virtual_patch: leak.virtual_patch, risk: leak.risk, blockable: leak.blockable,
    identity_email: leak.identity?.email, identity_username: leak.identity?.username, site_url: leak.site?.url, site_domain: leak.site?.domain,
    org_id: leak.org_id, sources: leak.sources.join(';'), sightings: leak.sightings, attempts: leak.attempts,
    first_seen: leak.first_seen, last_seen: leak.last_seen, fixed_at: leak.fixed_at, revision: leak.revision,
  };
  return csvLine(LEAK_CSV_COLUMNS.map((c) => row[c]));
}

export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
