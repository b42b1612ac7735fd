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
