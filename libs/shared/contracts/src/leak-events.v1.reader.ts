/**
 * The consumer side of `leakwatch.leaks.v1`: a tolerant reader. It accepts a message whose required fields
 * are there with the right types (extra fields are ignored: producers may add fields without a new topic
 * version), fills optional ones that an older producer left out, and answers undefined for anything else —
 * a consumer skips what it cannot read instead of casting it and failing later.
 */
import type { LeakEventV1 } from './leak-events.v1';
import { attemptsFolded, isObject, isString as str, isTime, readLocation as location, readSource as source, stringOrNull as strOrNull } from './reader-guards';
import { isLeakId, isLeakStatus, isRisk } from './vocabulary';

export function readLeakEventV1(type: string, data: unknown): LeakEventV1 | undefined {
  if (!isObject(data) || !isLeakId(data.leakid)) return undefined;
  const leakid = data.leakid;
  switch (type) {
    case 'LeakDetected': {
      const from = source(data.source);
      if (!from || !isRisk(data.risk) || (data.kind !== 'token' && data.kind !== 'credential') || !str(data.secret_type) || !isTime(data.detected_at)) return undefined;
      const identity = isObject(data.identity) ? { email: strOrNull(data.identity.email), username: strOrNull(data.identity.username) } : null;
      const site = isObject(data.site) ? { url: strOrNull(data.site.url), domain: strOrNull(data.site.domain) } : null;
      return {
        type,
        data: {
          leakid, kind: data.kind, secret_type: data.secret_type, fingerprint: strOrNull(data.fingerprint), preview: str(data.preview) ? data.preview : '',
          identity, site, org_id: strOrNull(data.org_id), source: from, risk: data.risk, blockable: data.blockable === true,
          location: location(data.location), detected_at: data.detected_at,
        },
      };
    }
    case 'LeakSighted': {
      const from = source(data.source);
      if (!from || !isTime(data.seen_at)) return undefined;
      return { type, data: { leakid, source: from, seen_at: data.seen_at, location: location(data.location) } };
    }
    case 'LeakStatusChanged':
      if (!isLeakStatus(data.from) || !isLeakStatus(data.to)) return undefined;
      return { type, data: { leakid, from: data.from, to: data.to, comment: strOrNull(data.comment), reason: data.reason === 'regression' ? 'regression' : 'decision' } };
    case 'VirtualPatchApplied':
      return { type, data: { leakid } };
    case 'VirtualPatchRemoved':
      return { type, data: { leakid, reason: data.reason === 'status_changed' ? 'status_changed' : 'disabled' } };
    case 'LeakedTokenUseAttempted':
      if (!isTime(data.attempted_at)) return undefined;
      return { type, data: { leakid, attempted_at: data.attempted_at, key_id: strOrNull(data.key_id), blocked: data.blocked !== false, ...attemptsFolded(data) } };
    default:
      return undefined;
  }
}
