/**
 * One answer for every way a presented token is checked (JSON check, reverse-proxy authorize, batched
 * attempts): the caller's view of the token, and the attempt recorded when it is blocked.
 */
import type { Caller } from '@leakwatch/authz';
import { AttemptRecorder } from './attempt-recorder';
import { TokenIndex } from './token-index';

export interface TokenVerdict {
  leaked: boolean;
  blocked: boolean;
  leakid?: string;
}

/**
 * What the caller may learn about this fingerprint (leaks outside its view do not exist for it), recording
 * an attempt on each visible blocked leak. `attemptedAt` defaults to now.
 */
export function judgeFingerprint(index: TokenIndex, attempts: AttemptRecorder, caller: Caller, fingerprint: string, attemptedAt?: string): TokenVerdict {
  const visible = index.visible(caller, fingerprint);
  if (visible.length === 0) {
    attempts.checked({ leaked: false, blocked: false });
    return { leaked: false, blocked: false };
  }
  const blocked = visible.filter((entry) => entry.blocked);
  const at = attemptedAt ?? new Date().toISOString();
  for (const entry of blocked) attempts.record({ leakid: entry.leakid, attempted_at: at, key_id: caller.keyId, blocked: true });
  attempts.checked({ leaked: true, blocked: blocked.length > 0 });
  return { leaked: true, blocked: blocked.length > 0, leakid: visible[0].leakid };
}
