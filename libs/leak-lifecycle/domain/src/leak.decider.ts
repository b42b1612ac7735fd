/**
 * The Leak aggregate as a pure decider. Rules (as in Wallarm's API Leaks decisions):
 * - statuses open | fixed | false_positive; nothing is ever deleted;
 * - a virtual patch only while open; moving to fixed/false_positive removes an active patch;
 * - the same status again, or the same patch state again, decides nothing (no event);
 * - a new sighting of a FIXED leak reopens it (regression: the secret is out there again);
 *   a false positive stays a false positive (it was judged not to be a secret at all).
 */
import { attemptCount, withoutPasswordHash } from '@leakwatch/contracts';
import { Decider, accept, assertNever, refuse } from '@leakwatch/decider';
import { LeakDetectedData, LeakEvent, LeakSource, LeakStatus } from './leak.events';

export type LeakCommand =
  | { type: 'RecordFinding'; finding: Omit<LeakDetectedData, 'detected_at'>; at: string }
  | { type: 'ChangeStatus'; to: LeakStatus; comment?: string | null }
  | { type: 'SetVirtualPatch'; enabled: boolean }
  | {
      type: 'RecordTokenUseAttempt';
      /** The attempt's time (the last one's, for several). */
      at: string;
      keyId?: string | null;
      /** As the gateway saw it when the token was presented. */
      blocked?: boolean;
      /** Repeated attempts a gateway folded into one report (default 1), and the first one's time. */
      count?: number;
      firstAt?: string;
    };

export interface LeakSighting {
  source: LeakSource;
  seen_at: string;
}

export type LeakState =
  | { status: 'none' }
  | {
      status: LeakStatus;
      leak: LeakDetectedData;
      virtualPatch: boolean;
      sightings: LeakSighting[];
      firstSeen: string;
      lastSeen: string;
      attempts: number;
    };

export type LeakRefusal = 'leak_not_found' | 'not_open' | 'not_blockable';

export const leakDecider: Decider<LeakState, LeakCommand, LeakEvent, LeakRefusal> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'RecordFinding': {
        const { finding, at } = command;
        // A finding recorded before passwords lost their hash still carries one: it stops here (issue 15.4).
        if (state.status === 'none') return accept({ type: 'LeakDetected', data: withoutPasswordHash({ ...finding, detected_at: at }) });
        const sighted: LeakEvent = {
          type: 'LeakSighted',
          data: { leakid: state.leak.leakid, source: finding.source, seen_at: at, finding_id: finding.finding_id, location: finding.location ?? null },
        };
        if (state.status !== 'fixed') return accept(sighted);
        return accept<LeakEvent>(sighted, {
          type: 'LeakStatusChanged',
          data: { leakid: state.leak.leakid, from: 'fixed', to: 'open', comment: 'seen again after it was fixed', reason: 'regression' },
        });
      }
      case 'ChangeStatus': {
        if (state.status === 'none') return refuse('leak_not_found');
        if (state.status === command.to) return accept();
        const changed: LeakEvent = {
          type: 'LeakStatusChanged',
          data: { leakid: state.leak.leakid, from: state.status, to: command.to, comment: command.comment ?? null, reason: 'decision' },
        };
        if (state.virtualPatch && command.to !== 'open') {
          return accept<LeakEvent>(changed, { type: 'VirtualPatchRemoved', data: { leakid: state.leak.leakid, reason: 'status_changed' } });
        }
        return accept(changed);
      }
      case 'SetVirtualPatch': {
        if (state.status === 'none') return refuse('leak_not_found');
        if (state.virtualPatch === command.enabled) return accept();
        if (!command.enabled) return accept({ type: 'VirtualPatchRemoved', data: { leakid: state.leak.leakid, reason: 'disabled' } });
        if (state.status !== 'open') return refuse('not_open');
        if (!state.leak.blockable) return refuse('not_blockable');
        return accept({ type: 'VirtualPatchApplied', data: { leakid: state.leak.leakid } });
      }
      case 'RecordTokenUseAttempt': {
        if (state.status === 'none') return refuse('leak_not_found');
        const folded = command.count !== undefined && command.count > 1 ? { count: command.count, first_attempted_at: command.firstAt ?? command.at } : {};
        return accept({
          type: 'LeakedTokenUseAttempted',
          data: { leakid: state.leak.leakid, attempted_at: command.at, key_id: command.keyId ?? null, blocked: command.blocked ?? state.virtualPatch, ...folded },
        });
      }
      default:
        return assertNever(command, 'leak command');
    }
  },

  evolve(state, event) {
    if (event.type === 'LeakDetected') {
      const d = withoutPasswordHash(event.data);
      return { status: 'open', leak: d, virtualPatch: false, sightings: [{ source: d.source, seen_at: d.detected_at }], firstSeen: d.detected_at, lastSeen: d.detected_at, attempts: 0 };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'LeakSighted':
        return {
          ...state,
          sightings: [...state.sightings, { source: event.data.source, seen_at: event.data.seen_at }],
          lastSeen: event.data.seen_at > state.lastSeen ? event.data.seen_at : state.lastSeen,
        };
      case 'LeakStatusChanged':
        return { ...state, status: event.data.to };
      case 'VirtualPatchApplied':
        return { ...state, virtualPatch: true };
      case 'VirtualPatchRemoved':
        return { ...state, virtualPatch: false };
      case 'LeakedTokenUseAttempted':
        return { ...state, attempts: state.attempts + attemptCount(event.data) };
      default:
        return assertNever(event, 'leak event');
    }
  },
};

export { leakStream } from '@leakwatch/contracts';
