/**
 * Integration contract of `leakwatch.findings.v1`: ingest publishes one `FindingReceived` per accepted
 * finding (key = leakid); leak-lifecycle turns it into a new leak or a sighting. No plaintext secret,
 * ever: a SHA-256 fingerprint (null if the scanner masked the value) and a masked preview.
 */
export interface FindingReceivedV1 {
  finding_id: string;
  leakid: string;
  kind: 'token' | 'credential';
  secret_type: string;
  fingerprint: string | null;
  preview: string;
  identity: { email?: string | null; username?: string | null } | null;
  site: { url?: string | null; domain?: string | null } | null;
  /** The organisation whose key ingested the finding. */
  org_id: string | null;
  source: { name: string; url?: string | null };
  risk: 'critical' | 'high' | 'medium' | 'low';
  blockable: boolean;
  location?: Record<string, unknown> | null;
  found_at: string;
  batch_id?: string | null;
}

export const FINDING_RECEIVED = 'FindingReceived';

/**
 * A scanner reported how a finding was resolved on its side (GitHub secret scanning: resolved as revoked,
 * false positive, ...; or reopened). leak-lifecycle applies it as a status decision by that source.
 */
export interface FindingResolutionReceivedV1 {
  leakid: string;
  status: 'open' | 'fixed' | 'false_positive';
  /** The scanner's own word, e.g. `revoked`, `false_positive`, `reopened`. */
  reason: string;
  source: { name: string; url?: string | null };
  reported_at: string;
}

export const FINDING_RESOLUTION_RECEIVED = 'FindingResolutionReceived';
