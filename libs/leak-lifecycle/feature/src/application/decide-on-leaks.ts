/**
 * Bulk decisions (status, virtual patch) on up to 1000 leaks, all or nothing for authorization:
 * unknown ids and ids the caller may not see → one 404 naming them, before anything is written.
 * Then every change is appended in ONE multi-stream append (all or nothing: a crash or a concurrent change
 * leaves no leak changed), retried against fresh state on a concurrent change.
 * Repeating the current status/patch state is `changed: false` and writes no event.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Caller, canAccessAll, isAdminRole } from '@leakwatch/authz';
import { EVENT_STORE, EventStore, GlobalPosition, WrongExpectedRevisionError, comparePositions } from '@leakwatch/event-store';
import { replayStored } from '@leakwatch/decider';
import { LeakCommand, LeakEvent, LeakState, LeakStatus, leakDecider, leakEventCodec, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { PG_POOL, ProblemException } from '@leakwatch/runtime';
import { DecidedRow, applyDecisionsInline } from '../read-model/leaks.projection';
import { accessFacts } from './leak-access';
import { LeaksProjectionRunner } from './leaks-projection-runner';

export type Decision = { kind: 'status'; status: LeakStatus; comment?: string } | { kind: 'virtual_patch'; enabled: boolean };

export class DecideOnLeaksCommand {
  constructor(
    readonly caller: Caller,
    readonly leakids: string[],
    readonly decision: Decision,
    readonly correlationId?: string,
    /** `If-Match` of a single-leak request: decide only if the leak is still at this revision. */
    readonly ifMatch?: number,
  ) {}
}

export interface StatusResult {
  leakid: string;
  status: LeakStatus;
  previous_status: LeakStatus;
  changed: boolean;
}
export interface PatchResult {
  leakid: string;
  virtual_patch: boolean;
  previous_virtual_patch: boolean;
  changed: boolean;
}
export interface DecisionAnswer<R> {
  results: R[];
  updated: number;
  unchanged: number;
}

const MAX_ATTEMPTS = 10;

@CommandHandler(DecideOnLeaksCommand)
export class DecideOnLeaksHandler implements ICommandHandler<DecideOnLeaksCommand, DecisionAnswer<StatusResult | PatchResult>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: LeaksProjectionRunner,
    @Optional() @Inject(PG_POOL) private readonly pool?: Pool,
  ) {}

  async execute({ caller, leakids, decision, correlationId, ifMatch }: DecideOnLeaksCommand): Promise<DecisionAnswer<StatusResult | PatchResult>> {
    if (!isAdminRole(caller.role)) {
      throw new ProblemException(403, 'read-only-role', 'Forbidden', `The role ${caller.role} can read leaks but not change them.`);
    }
    const ids = [...new Set(leakids)];
    const command: LeakCommand = decision.kind === 'status' ? { type: 'ChangeStatus', to: decision.status, comment: decision.comment } : { type: 'SetVirtualPatch', enabled: decision.enabled };
    const metadata = {
      occurred_at: new Date().toISOString(),
      actor: { key_id: caller.keyId, org_id: caller.orgId, role: caller.role, user_email: caller.email },
      ...(correlationId ? { correlation_id: correlationId } : {}),
    };
    // All or nothing: every leak is loaded (one query), checked and decided, then every change is appended in
    // ONE multi-stream append with each leak's revision. A concurrent change of any of them writes nothing and
    // the whole decision is taken again against fresh state (with If-Match it is the client's to resolve: 412).
    for (let attempt = 1; ; attempt++) {
      const histories = await this.store.readStreams(ids.map(leakStream));
      const loaded = ids.map((id) => {
        const history = histories.get(leakStream(id)) ?? [];
        return {
          state: replayStored(leakDecider, leakEventCodec, history),
          revision: history.length ? history[history.length - 1].revision : -1,
        };
      });
      const states = loaded.map((l) => l.state);
      // An id the caller may not see answers exactly like one that does not exist (404, as reads do), so a
      // decision never confirms that another organisation's leak exists. All or nothing: listed together.
      const hidden = new Set(ids.filter((_, i) => states[i].status === 'none'));
      const known = ids.flatMap((_, i) => (states[i].status === 'none' ? [] : [i]));
      const facts = known.map((i) => accessFacts((states[i] as Exclude<LeakState, { status: 'none' }>).leak));
      const access = canAccessAll(caller, facts, 'mutate');
      if (!access.allowed) access.refused.forEach((r) => hidden.add(ids[known[r.index]]));
      if (hidden.size) {
        const unknown = ids.filter((id) => hidden.has(id));
        throw new ProblemException(404, 'leak-not-found', 'Not found', `No such leak: ${unknown.join(', ')}. Nothing was changed.`, { leakids: unknown });
      }

      if (ifMatch !== undefined && loaded[0].revision !== ifMatch) throw preconditionFailed(ids[0], loaded[0].revision);

      const decided = ids.map((id, i) => ({ id, result: leakDecider.decide(command, states[i]), state: states[i], revision: loaded[i].revision }));
      // Refusals too (e.g. patching a fixed leak): checked for every leak before writing any.
      const refusals = decided.flatMap((d) => (d.result.ok ? [] : [refusal(d.result.refusal, d.id)]));
      if (refusals.length) {
        const ids409 = refusals.flatMap((r) => (r.getResponse() as { leakids: string[] }).leakids);
        const first = refusals[0].getResponse() as { type: string; title: string; detail: string };
        throw new ProblemException(refusals[0].getStatus(), first.type.split('/').pop() ?? 'conflict', first.title, `${first.detail}${ids409.length > 1 ? ` (${ids409.length} leaks refused)` : ''} Nothing was changed.`, { leakids: ids409 });
      }
      const changes = decided.filter((d) => d.result.ok && d.result.events.length > 0);
      let last: GlobalPosition | undefined;
      if (changes.length) {
        try {
          const appended = await this.store.appendToStreams(
            changes.map((d) => ({
              streamId: leakStream(d.id),
              events: (d.result.ok ? d.result.events : []).map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata })),
              expectedRevision: d.revision,
            })),
          );
          for (const r of appended) if (!last || comparePositions(r.position, last) > 0) last = r.position;
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          if (ifMatch !== undefined) throw preconditionFailed(ids[0], error.actual);
          if (attempt >= MAX_ATTEMPTS) {
            throw new ProblemException(409, 'concurrent-change', 'Conflict', `Leaks changed concurrently ${attempt} times while deciding: ${error.conflicts.map((c) => c.streamId.slice(5)).join(', ')}. Nothing was changed; try again.`, {
              leakids: error.conflicts.map((c) => c.streamId.slice(5)),
            });
          }
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt)); // de-synchronise competing writers
          continue;
        }
      }
      // Read-your-writes: our own rows first (not behind the runner's backlog); wait for the runner only if one could not be.
      const pending = this.pool && last ? await applyDecisionsInline(this.pool, changes.map((d) => decidedRow(d.id, d.revision, d.result.ok ? d.result.events : [], metadata.occurred_at))).catch(() => ['?']) : ['?'];
      if (pending.length) await this.projection.caughtUpTo(last);
      const outcomes = decided.map((d) => {
        const events = d.result.ok ? d.result.events : [];
        return { id: d.id, after: events.reduce(leakDecider.evolve, d.state) as Exclude<LeakState, { status: 'none' }>, events, changed: events.length > 0 };
      });
      // "previous" is what the decision was taken against (read from the events it produced), not a stale read.
      const results = outcomes.map(({ id, after, events, changed }) => {
        if (decision.kind === 'status') {
          const change = events.find((e) => e.type === 'LeakStatusChanged');
          return { leakid: id, status: after.status, previous_status: change?.type === 'LeakStatusChanged' ? change.data.from : after.status, changed };
        }
        return { leakid: id, virtual_patch: after.virtualPatch, previous_virtual_patch: changed ? !after.virtualPatch : after.virtualPatch, changed };
      });
      const updated = results.filter((r) => r.changed).length;
      return { results, updated, unchanged: results.length - updated };
    }
  }
}

function preconditionFailed(leakid: string, revision: number): ProblemException {
  return new ProblemException(412, 'precondition-failed', 'Precondition failed', `Leak ${leakid} is at revision ${revision}, not the one in If-Match. Nothing was changed.`, {
    leakid,
    revision,
  });
}

function refusal(reason: string, leakid: string): ProblemException {
  switch (reason) {
    case 'not_open':
      return new ProblemException(409, 'leak-not-open', 'Conflict', `Leak ${leakid} is not open: only open leaks can be virtually patched.`, { leakids: [leakid] });
    case 'not_blockable':
      return new ProblemException(409, 'leak-not-blockable', 'Conflict', `Leak ${leakid} has no fingerprint (the scanner masked the secret), so it cannot be blocked.`, { leakids: [leakid] });
    default:
      return new ProblemException(404, 'leak-not-found', 'Not found', `No such leak: ${leakid}`, { leakids: [leakid] });
  }
}

/** What a decision's events set on the leak's read-model row (see applyDecisionsInline). */
function decidedRow(leakid: string, base: number, events: LeakEvent[], at: string): DecidedRow {
  const row: DecidedRow = { leakid, base, revision: base + events.length, at };
  for (const event of events) {
    if (event.type === 'LeakStatusChanged') row.status = event.data.to;
    else if (event.type === 'VirtualPatchApplied') row.virtualPatch = true;
    else if (event.type === 'VirtualPatchRemoved') row.virtualPatch = false;
    else row.base = -2; // an event this shortcut does not know: no row is at revision -2, so the runner applies it
  }
  return row;
}
