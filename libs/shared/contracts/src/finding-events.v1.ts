/**
 * Integration contract of `leakwatch.findings.v1`: ingest publishes one `FindingReceived` per accepted
 * finding (key = leakid); leak-lifecycle turns it into a new leak or a sighting. No plaintext secret,
 * ever: a token's SHA-256 fingerprint (null if the scanner masked the value) and a masked preview.
 * A credential's password gets no hash at all (`fingerprint: null`): a plain SHA-256 of a low-entropy
 * password is cracked offline in seconds. Events recorded before that rule still carry one: read them
 * through `withoutPasswordHash`.
 */
export interface FindingReceivedV1 {
  finding_id: string;
  leakid: string;
  kind: 'token' | 'credential';
  secret_type: string;
  /** SHA-256 (hex) of a token, for gateways to match presented tokens; always null for a credential (and for a masked token). */
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
 * Upcaster for `FindingReceived` and `LeakDetected` data recorded before passwords lost their hash
 * (issue 15.4): a credential's `fingerprint` (the plain SHA-256 of its password) reads as null. Every
 * reader of those events goes through it, so no plain password hash is returned or projected again.
 */
export function withoutPasswordHash<T extends { kind?: unknown; fingerprint?: string | null }>(data: T): T {
  return data?.kind === 'credential' && data.fingerprint != null ? { ...data, fingerprint: null } : data;
}

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
