/** The consumer side of `LeakedTokenUseAttempted` on `leakwatch.gateway.v1`: a tolerant reader. */
import type { LeakedTokenUseAttemptedV1 } from './gateway-events.v1';
import { attemptsFolded, isObject, isTime, stringOrNull } from './reader-guards';
import { isLeakId } from './vocabulary';

export function readTokenUseAttemptV1(data: unknown): LeakedTokenUseAttemptedV1 | undefined {
  if (!isObject(data) || !isLeakId(data.leakid) || !isTime(data.attempted_at)) return undefined;
  return { leakid: data.leakid, attempted_at: data.attempted_at, key_id: stringOrNull(data.key_id), blocked: data.blocked !== false, ...attemptsFolded(data) };
}
