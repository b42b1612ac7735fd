/**
 * The leak events of `leakwatch.leaks.v1` as the stats context reads them: only the fields it needs, read
 * through the contract's tolerant reader (contexts meet through the topic, not through leak-lifecycle's code).
 */
import type { CloudEvent } from '@leakwatch/messaging';
import { LeakEventV1, attemptCount, readLeakEventV1 } from '@leakwatch/contracts';

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
  | { type: 'LeakedTokenUseAttempted'; leakid: string; attemptedAt: string; /** Attempts the event stands for. */ count: number };

/** An event with its stream revision and business time, or undefined when it is not a leak event we count. */
export interface LeakFactAt {
  fact: LeakFact;
  revision: number;
  at: string;
}

export function readLeakEvent(event: CloudEvent): LeakFactAt | undefined {
  const raw = event.extensions?.streamrevision;
  const revision = raw && /^\d+$/.test(raw) ? Number(raw) : NaN;
  const read = readLeakEventV1(event.type, event.data);
  if (!read || !Number.isInteger(revision)) return undefined;
  const at = validTime(event.time) ?? new Date().toISOString();
  return { fact: toFact(read), revision, at };
}

function toFact(event: LeakEventV1): LeakFact {
  switch (event.type) {
    case 'LeakDetected': {
      const d = event.data;
      return {
        type: event.type,
        leakid: d.leakid,
        kind: d.kind,
        secretType: d.secret_type,
        orgId: d.org_id,
        identityEmail: d.identity?.email?.toLowerCase() ?? null,
        siteDomain: d.site?.domain?.toLowerCase() ?? null,
        source: d.source.name,
        risk: d.risk,
        detectedAt: new Date(d.detected_at).toISOString(),
      };
    }
    case 'LeakSighted':
      return { type: event.type, leakid: event.data.leakid, source: event.data.source.name };
    case 'LeakStatusChanged':
      return { type: event.type, leakid: event.data.leakid, to: event.data.to };
    case 'VirtualPatchApplied':
    case 'VirtualPatchRemoved':
      return { type: event.type, leakid: event.data.leakid };
    case 'LeakedTokenUseAttempted':
      return { type: event.type, leakid: event.data.leakid, attemptedAt: new Date(event.data.attempted_at).toISOString(), count: attemptCount(event.data) };
  }
}

function validTime(value: unknown): string | undefined {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}
