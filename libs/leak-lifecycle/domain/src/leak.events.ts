/**
 * Everything that can happen to one leak (stream `leak-<leakid>`). Persisted names are these strings.
 * No event carries the secret: only its SHA-256 fingerprint and a masked preview.
 */
import type { LeakKind, LeakStatus, Risk } from '@leakwatch/contracts';

// The shared names live in @leakwatch/contracts; re-exported here because they are this context's vocabulary too.
export { LEAK_STATUSES, RISKS } from '@leakwatch/contracts';
export type { LeakKind, LeakStatus, Risk } from '@leakwatch/contracts';

export interface LeakSource {
  name: string;
  url?: string | null;
}

export interface LeakDetectedData {
  leakid: string;
  kind: LeakKind;
  /** Detector / token type, e.g. `github-pat`, `aws-access-key`, `password`. */
  secret_type: string;
  /** SHA-256 (hex) of the secret, for matching presented tokens; null when the scanner masked the secret. */
  fingerprint: string | null;
  /** e.g. `ghp_…(40)`: never enough to use the secret. */
  preview: string;
  identity: { email?: string | null; username?: string | null } | null;
  site: { url?: string | null; domain?: string | null } | null;
  /** Organisation that ingested it (`organization` type). */
  org_id: string | null;
  source: LeakSource;
  risk: Risk;
  /** A gateway can block it only if we know its fingerprint. */
  blockable: boolean;
  /** Where it was found (file, line, commit…), free-form, never the secret. */
  location?: Record<string, unknown> | null;
  detected_at: string;
  finding_id: string;
}

export type LeakEvent =
  | { type: 'LeakDetected'; data: LeakDetectedData }
  | { type: 'LeakSighted'; data: { leakid: string; source: LeakSource; seen_at: string; finding_id: string; location?: Record<string, unknown> | null } }
  | { type: 'LeakStatusChanged'; data: { leakid: string; from: LeakStatus; to: LeakStatus; comment: string | null; reason: 'decision' | 'regression' } }
  | { type: 'VirtualPatchApplied'; data: { leakid: string } }
  | { type: 'VirtualPatchRemoved'; data: { leakid: string; reason: 'disabled' | 'status_changed' } }
  | {
      type: 'LeakedTokenUseAttempted';
      /** `count` (≥ 2) when a gateway folded repeated attempts (one token, one key, one flush window): `attempted_at` is the last, `first_attempted_at` the first. */
      data: { leakid: string; attempted_at: string; key_id: string | null; blocked: boolean; count?: number; first_attempted_at?: string };
    };

export type LeakEventType = LeakEvent['type'];
