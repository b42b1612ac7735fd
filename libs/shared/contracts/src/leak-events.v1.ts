/**
 * Integration contract of `leakwatch.leaks.v1` (key = leak id; CloudEvent `type` = the names below, `data` =
 * these shapes). leak-lifecycle maps its stored domain events to these explicitly (field by field), so its
 * internal events may change without breaking consumers; a breaking change here gets a new topic version,
 * additive fields do not. No event carries a secret: a token's SHA-256 fingerprint (null for a credential,
 * whose password keeps no plain hash, and for a masked token) and a masked preview.
 */
export type LeakStatusV1 = 'open' | 'fixed' | 'false_positive';
export type LeakRiskV1 = 'critical' | 'high' | 'medium' | 'low';

export interface LeakSourceV1 {
  name: string;
  url: string | null;
}

export interface LeakDetectedV1 {
  leakid: string;
  kind: 'token' | 'credential';
  /** Detector / token type, e.g. `github-pat`, `password`. */
  secret_type: string;
  fingerprint: string | null;
  preview: string;
  identity: { email: string | null; username: string | null } | null;
  site: { url: string | null; domain: string | null } | null;
  /** The organisation that ingested it. */
  org_id: string | null;
  source: LeakSourceV1;
  risk: LeakRiskV1;
  /** Whether a gateway can block it (a fingerprint is known). */
  blockable: boolean;
  /** Where it was found (file, line, commit…), never the secret. */
  location: Record<string, unknown> | null;
  detected_at: string;
}

export interface LeakSightedV1 {
  leakid: string;
  source: LeakSourceV1;
  seen_at: string;
  location: Record<string, unknown> | null;
}

export interface LeakStatusChangedV1 {
  leakid: string;
  from: LeakStatusV1;
  to: LeakStatusV1;
  comment: string | null;
  /** `decision`: a person or a scanner decided; `regression`: a fixed leak was seen again. */
  reason: 'decision' | 'regression';
}

export interface VirtualPatchAppliedV1 {
  leakid: string;
}

export interface VirtualPatchRemovedV1 {
  leakid: string;
  reason: 'disabled' | 'status_changed';
}

export interface LeakTokenUseAttemptedV1 {
  leakid: string;
  /** The attempt's time; for several (`count` > 1), the last one's. */
  attempted_at: string;
  key_id: string | null;
  blocked: boolean;
  /** Attempts this event stands for (repeats of one token by one key in one gateway flush window); absent = 1. */
  count?: number;
  /** With `count` > 1: the first of those attempts' time. */
  first_attempted_at?: string;
}

export type LeakEventV1 =
  | { type: 'LeakDetected'; data: LeakDetectedV1 }
  | { type: 'LeakSighted'; data: LeakSightedV1 }
  | { type: 'LeakStatusChanged'; data: LeakStatusChangedV1 }
  | { type: 'VirtualPatchApplied'; data: VirtualPatchAppliedV1 }
  | { type: 'VirtualPatchRemoved'; data: VirtualPatchRemovedV1 }
  | { type: 'LeakedTokenUseAttempted'; data: LeakTokenUseAttemptedV1 };

export const LEAK_EVENT_TYPES_V1: ReadonlyArray<LeakEventV1['type']> = [
  'LeakDetected',
  'LeakSighted',
  'LeakStatusChanged',
  'VirtualPatchApplied',
  'VirtualPatchRemoved',
  'LeakedTokenUseAttempted',
];
