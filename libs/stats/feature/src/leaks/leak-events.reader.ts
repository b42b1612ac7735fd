/**
 * The leak events of `leakwatch.leaks.v1` as the stats context reads them: only the fields it needs, checked
 * before use (a tolerant reader — contexts meet through the topic, not through leak-lifecycle's code).
 */
import type { CloudEvent } from '@leakwatch/messaging';
import { LEAK_ID_PATTERN, isLeakStatus } from '@leakwatch/contracts';

export type LeakFact =
  | {
      type: 'LeakDetected';
      leakid: string;
      kind: string;
      secretType: string;
      orgId: string | null;
      identityEmail: string | null;
      siteDomain: string | null;
      source: string;
      risk: string;
      detectedAt: string;
    }
  | { type: 'LeakSighted'; leakid: string; source: string }
  | { type: 'LeakStatusChanged'; leakid: string; to: 'open' | 'fixed' | 'false_positive' }
  | { type: 'VirtualPatchApplied' | 'VirtualPatchRemoved'; leakid: string }
  | { type: 'LeakedTokenUseAttempted'; leakid: string; attemptedAt: string };

/** An event with its stream revision and business time, or undefined when it is not a leak event we count. */
export interface LeakFactAt {
  fact: LeakFact;
  revision: number;
  at: string;
}

/** What may be in a leak event's data: everything unknown until checked. */
interface RawLeakData {
  leakid?: unknown;
  kind?: unknown;
  secret_type?: unknown;
  org_id?: unknown;
  identity?: { email?: unknown } | null;
  site?: { domain?: unknown } | null;
  source?: { name?: unknown } | null;
  risk?: unknown;
  detected_at?: unknown;
  to?: unknown;
  attempted_at?: unknown;
}


export function readLeakEvent(event: CloudEvent): LeakFactAt | undefined {
  const d = event.data as RawLeakData | null;
  const raw = event.extensions?.streamrevision;
  const revision = raw && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!d || typeof d !== 'object' || typeof d.leakid !== 'string' || !LEAK_ID_PATTERN.test(d.leakid) || !Number.isInteger(revision)) return undefined;
  const at = validTime(event.time) ?? new Date().toISOString();
  const fact = toFact(event.type, d as RawLeakData & { leakid: string });
  return fact ? { fact, revision, at } : undefined;
}

function toFact(type: string, d: RawLeakData & { leakid: string }): LeakFact | undefined {
  switch (type) {
    case 'LeakDetected':
      if (typeof d.risk !== 'string' || typeof d.source?.name !== 'string') return undefined;
      return {
        type,
        leakid: d.leakid,
        kind: String(d.kind ?? 'token'),
        secretType: String(d.secret_type ?? 'unknown'),
        orgId: typeof d.org_id === 'string' ? d.org_id : null,
        identityEmail: typeof d.identity?.email === 'string' ? d.identity.email.toLowerCase() : null,
        siteDomain: typeof d.site?.domain === 'string' ? d.site.domain.toLowerCase() : null,
        source: d.source.name,
        risk: d.risk,
        detectedAt: validTime(d.detected_at) ?? new Date().toISOString(),
      };
    case 'LeakSighted':
      return typeof d.source?.name === 'string' ? { type, leakid: d.leakid, source: d.source.name } : undefined;
    case 'LeakStatusChanged':
      return typeof d.to === 'string' && isLeakStatus(d.to) ? { type, leakid: d.leakid, to: d.to as 'open' | 'fixed' | 'false_positive' } : undefined;
    case 'VirtualPatchApplied':
    case 'VirtualPatchRemoved':
      return { type, leakid: d.leakid };
    case 'LeakedTokenUseAttempted':
      return { type, leakid: d.leakid, attemptedAt: validTime(d.attempted_at) ?? new Date().toISOString() };
    default:
      return undefined;
  }
}

function validTime(value: unknown): string | undefined {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}
