/**
 * Leak-decision refusals → HTTP problems: the only place that knows both. Exhaustive by refusal, so a new
 * refusal does not compile until it has an answer here. Every answer says that nothing was changed.
 */
import { ProblemException } from '@leakwatch/runtime';
import type { DecisionAnswer, DecisionOutcome, DecisionRefusal } from '../application/decide-on-leaks';

type Refusal<K extends DecisionRefusal['refusal']> = Extract<DecisionRefusal, { refusal: K }>;

const refusedMore = (leakids: string[]) => (leakids.length > 1 ? ` (${leakids.length} leaks refused)` : '');

const PROBLEMS: { [K in DecisionRefusal['refusal']]: (refusal: Refusal<K>) => ProblemException } = {
  read_only_role: ({ role }) => new ProblemException(403, 'read-only-role', 'Forbidden', `The role ${role} can read leaks but not change them.`),
  leak_not_found: ({ leakids }) => new ProblemException(404, 'leak-not-found', 'Not found', `No such leak: ${leakids.join(', ')}. Nothing was changed.`, { leakids }),
  not_decidable: ({ reason, leakids }) =>
    reason === 'not_blockable'
      ? new ProblemException(409, 'leak-not-blockable', 'Conflict', `Leak ${leakids[0]} has no fingerprint (the scanner masked the secret), so it cannot be blocked.${refusedMore(leakids)} Nothing was changed.`, { leakids })
      : new ProblemException(409, 'leak-not-open', 'Conflict', `Leak ${leakids[0]} is not open: only open leaks can be virtually patched.${refusedMore(leakids)} Nothing was changed.`, { leakids }),
  precondition_failed: ({ leakid, revision }) =>
    new ProblemException(412, 'precondition-failed', 'Precondition failed', `Leak ${leakid} is at revision ${revision}, not the one in If-Match. Nothing was changed.`, { leakid, revision }),
  concurrent_change: ({ leakids, attempts }) =>
    new ProblemException(409, 'concurrent-change', 'Conflict', `Leaks changed concurrently ${attempts} times while deciding: ${leakids.join(', ')}. Nothing was changed; try again.`, { leakids }),
};

export function decisionProblem(refusal: DecisionRefusal): ProblemException {
  return (PROBLEMS[refusal.refusal] as (r: DecisionRefusal) => ProblemException)(refusal);
}

/** The decision's answer, or its refusal thrown as the matching problem. */
export function decisionOrProblem<R>(outcome: DecisionOutcome<R>): DecisionAnswer<R> {
  if (outcome.ok) return outcome.value;
  throw decisionProblem(outcome);
}
