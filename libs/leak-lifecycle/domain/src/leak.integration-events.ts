/**
 * Stored leak events → the published `leakwatch.leaks.v1` contract, field by field. This is the one place that
 * decides what consumers see: internal fields (finding ids) stay inside, optional fields become explicit
 * nulls, and a credential's old plain password hash never leaves (events recorded before that rule still
 * carry one). An event type without a mapping here is not published.
 */
import { LeakEventV1, LeakSourceV1, withoutPasswordHash } from '@leakwatch/contracts';
import type { LeakEvent, LeakSource } from './leak.events';

const source = (s: LeakSource): LeakSourceV1 => ({ name: s.name, url: s.url ?? null });
const location = (l: Record<string, unknown> | null | undefined) => l ?? null;

export function toLeakEventV1(event: LeakEvent): LeakEventV1 | null {
  switch (event.type) {
    case 'LeakDetected': {
      const d = withoutPasswordHash(event.data);
      return {
        type: 'LeakDetected',
        data: {
          leakid: d.leakid,
          kind: d.kind,
          secret_type: d.secret_type,
          fingerprint: d.fingerprint,
          preview: d.preview,
          identity: d.identity ? { email: d.identity.email ?? null, username: d.identity.username ?? null } : null,
          site: d.site ? { url: d.site.url ?? null, domain: d.site.domain ?? null } : null,
          org_id: d.org_id,
          source: source(d.source),
          risk: d.risk,
          blockable: d.blockable,
          location: location(d.location),
          detected_at: d.detected_at,
        },
      };
    }
    case 'LeakSighted':
      return {
        type: 'LeakSighted',
        data: { leakid: event.data.leakid, source: source(event.data.source), seen_at: event.data.seen_at, location: location(event.data.location) },
      };
    case 'LeakStatusChanged': {
      const { leakid, from, to, comment, reason } = event.data;
      return { type: 'LeakStatusChanged', data: { leakid, from, to, comment: comment ?? null, reason } };
    }
    case 'VirtualPatchApplied':
      return { type: 'VirtualPatchApplied', data: { leakid: event.data.leakid } };
    case 'VirtualPatchRemoved':
      return { type: 'VirtualPatchRemoved', data: { leakid: event.data.leakid, reason: event.data.reason } };
    case 'LeakedTokenUseAttempted': {
      const { leakid, attempted_at, key_id, blocked, count, first_attempted_at } = event.data;
      return { type: 'LeakedTokenUseAttempted', data: { leakid, attempted_at, key_id: key_id ?? null, blocked, ...(count && count > 1 ? { count, first_attempted_at } : {}) } };
    }
    default:
      return exhaustive(event);
  }
}

/** A new domain event type fails to compile here until it is mapped (or deliberately left unpublished). */
function exhaustive(event: never): null {
  void event;
  return null;
}
