/**
 * The authorization policy every service applies locally: who may read or change which leak.
 * Refusals are values (the HTTP edge maps them to 403); the 404 for an unknown id is the caller's job,
 * decided before this policy is asked.
 */
import { Caller, isGlobalRole, isAdminRole, isRole } from './caller';
import { LeakAccessFacts, LeakType, classifyLeak } from './leak-access';

export type Action = 'read' | 'mutate';

export type Refusal =
  /** No visibility rule matches this caller (someone else's leak). */
  | 'not_visible'
  /** Analysts and global analysts never mutate, even leaks they can read. */
  | 'read_only_role'
  /** A role this policy does not know (e.g. from a newer or corrupted key record): fail closed. */
  | 'unknown_role';

export type Decision = { allowed: true; via: LeakType | 'global' } | { allowed: false; reason: Refusal };

export type BulkDecision = { allowed: true } | { allowed: false; refused: ReadonlyArray<{ index: number; reason: Refusal }> };

const allow = (via: LeakType | 'global'): Decision => ({ allowed: true, via });
const deny = (reason: Refusal): Decision => ({ allowed: false, reason });

export function canRead(caller: Caller, facts: LeakAccessFacts): Decision {
  if (!isRole(caller.role)) return deny('unknown_role');
  if (isGlobalRole(caller.role)) return allow('global');
  const type = classifyLeak(caller, facts);
  return type === null ? deny('not_visible') : allow(type);
}

export function canMutate(caller: Caller, facts: LeakAccessFacts): Decision {
  if (!isRole(caller.role)) return deny('unknown_role');
  // The role is checked before visibility so a read-only key learns nothing about leaks outside its view.
  if (!isAdminRole(caller.role)) return deny('read_only_role');
  return canRead(caller, facts);
}

export function canAccess(caller: Caller, facts: LeakAccessFacts, action: Action): Decision {
  return action === 'read' ? canRead(caller, facts) : canMutate(caller, facts);
}

/**
 * All-or-nothing decision for a bulk request: nothing changes unless every id is accessible.
 * Lists every refused index so the edge can say which ids; an empty list is vacuously allowed
 * (the edge validates 1..1000 ids before asking).
 */
export function canAccessAll(caller: Caller, facts: readonly LeakAccessFacts[], action: Action): BulkDecision {
  const refused: { index: number; reason: Refusal }[] = [];
  facts.forEach((leak, index) => {
    const decision = canAccess(caller, leak, action);
    if (!decision.allowed) refused.push({ index, reason: decision.reason });
  });
  return refused.length === 0 ? { allowed: true } : { allowed: false, refused };
}
