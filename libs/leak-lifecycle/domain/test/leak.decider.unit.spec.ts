import { DeciderSpecification } from '@leakwatch/testing';
import { LeakDetectedData, LeakEvent, leakDecider } from '../src';

const AT = '2026-11-25T10:00:00.000Z';
const LATER = '2026-11-26T10:00:00.000Z';
const leakid = 'b3652f2555841f7652badd9804859f4e';
const finding: Omit<LeakDetectedData, 'detected_at'> = {
  leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)', identity: null, site: null,
  org_id: 'o1', source: { name: 'gitleaks', url: 'https://github.com/acme/app' }, risk: 'critical', blockable: true, finding_id: 'f1',
};
const detected: LeakEvent = { type: 'LeakDetected', data: { ...finding, detected_at: AT } };
const fixed: LeakEvent = { type: 'LeakStatusChanged', data: { leakid, from: 'open', to: 'fixed', comment: null, reason: 'decision' } };
const falsePositive: LeakEvent = { type: 'LeakStatusChanged', data: { leakid, from: 'open', to: 'false_positive', comment: null, reason: 'decision' } };
const patched: LeakEvent = { type: 'VirtualPatchApplied', data: { leakid } };
const spec = DeciderSpecification.for(leakDecider);

describe('leak decider', () => {
  describe('findings', () => {
    it('a first finding detects the leak', () => spec.given([]).when({ type: 'RecordFinding', finding, at: AT }).then([detected]));
    it('a second finding is a sighting, not a new leak', () =>
      spec.given([detected]).when({ type: 'RecordFinding', finding: { ...finding, finding_id: 'f2', source: { name: 'trufflehog' } }, at: LATER }).then([
        { type: 'LeakSighted', data: { leakid, source: { name: 'trufflehog' }, seen_at: LATER, finding_id: 'f2', location: null } },
      ]));
    it('a sighting of a fixed leak reopens it (regression)', () =>
      spec.given([detected, fixed]).when({ type: 'RecordFinding', finding: { ...finding, finding_id: 'f2' }, at: LATER }).then([
        { type: 'LeakSighted', data: { leakid, source: finding.source, seen_at: LATER, finding_id: 'f2', location: null } },
        { type: 'LeakStatusChanged', data: { leakid, from: 'fixed', to: 'open', comment: 'seen again after it was fixed', reason: 'regression' } },
      ]));
    it('a sighting of a false positive does not reopen it', () =>
      spec.given([detected, falsePositive]).when({ type: 'RecordFinding', finding: { ...finding, finding_id: 'f2' }, at: LATER }).then([
        { type: 'LeakSighted', data: { leakid, source: finding.source, seen_at: LATER, finding_id: 'f2', location: null } },
      ]));
    it('sightings extend last_seen', () =>
      spec.given([detected]).when({ type: 'RecordFinding', finding: { ...finding, finding_id: 'f2' }, at: LATER }).thenState({
        status: 'open', leak: detected.data as LeakDetectedData, virtualPatch: false, attempts: 0, firstSeen: AT, lastSeen: LATER,
        sightings: [{ source: finding.source, seen_at: AT }, { source: finding.source, seen_at: LATER }],
      }));
  });

  describe('status', () => {
    it('fixes an open leak', () => spec.given([detected]).when({ type: 'ChangeStatus', to: 'fixed' }).then([fixed]));
    it('keeps the comment', () =>
      spec.given([detected]).when({ type: 'ChangeStatus', to: 'false_positive', comment: 'test fixture' }).then([
        { type: 'LeakStatusChanged', data: { leakid, from: 'open', to: 'false_positive', comment: 'test fixture', reason: 'decision' } },
      ]));
    it('reopens a fixed leak', () =>
      spec.given([detected, fixed]).when({ type: 'ChangeStatus', to: 'open' }).then([
        { type: 'LeakStatusChanged', data: { leakid, from: 'fixed', to: 'open', comment: null, reason: 'decision' } },
      ]));
    it.each(['open', 'fixed', 'false_positive'] as const)('the same status again (%s) decides nothing', (status) => {
      const history: LeakEvent[] = status === 'open' ? [detected] : [detected, status === 'fixed' ? fixed : falsePositive];
      spec.given(history).when({ type: 'ChangeStatus', to: status }).then([]);
    });
    it('fixing a patched leak removes the patch', () =>
      spec.given([detected, patched]).when({ type: 'ChangeStatus', to: 'fixed' }).then([fixed, { type: 'VirtualPatchRemoved', data: { leakid, reason: 'status_changed' } }]));
    it('marking a patched leak false removes the patch', () =>
      spec.given([detected, patched]).when({ type: 'ChangeStatus', to: 'false_positive' }).then([
        falsePositive,
        { type: 'VirtualPatchRemoved', data: { leakid, reason: 'status_changed' } },
      ]));
    it('refuses an unknown leak', () => spec.given([]).when({ type: 'ChangeStatus', to: 'fixed' }).thenRefuses('leak_not_found'));
  });

  describe('virtual patch', () => {
    it('patches an open leak', () => spec.given([detected]).when({ type: 'SetVirtualPatch', enabled: true }).then([patched]));
    it('patching twice decides nothing', () => spec.given([detected, patched]).when({ type: 'SetVirtualPatch', enabled: true }).then([]));
    it('removes a patch', () =>
      spec.given([detected, patched]).when({ type: 'SetVirtualPatch', enabled: false }).then([{ type: 'VirtualPatchRemoved', data: { leakid, reason: 'disabled' } }]));
    it('removing an absent patch decides nothing', () => spec.given([detected]).when({ type: 'SetVirtualPatch', enabled: false }).then([]));
    it('refuses to patch a fixed leak', () => spec.given([detected, fixed]).when({ type: 'SetVirtualPatch', enabled: true }).thenRefuses('not_open'));
    it('refuses to patch a false positive', () => spec.given([detected, falsePositive]).when({ type: 'SetVirtualPatch', enabled: true }).thenRefuses('not_open'));
    it('refuses to patch a leak whose secret was masked by the scanner', () =>
      spec.given([{ type: 'LeakDetected', data: { ...finding, fingerprint: null, blockable: false, detected_at: AT } }]).when({ type: 'SetVirtualPatch', enabled: true }).thenRefuses('not_blockable'));
    it('refuses an unknown leak', () => spec.given([]).when({ type: 'SetVirtualPatch', enabled: true }).thenRefuses('leak_not_found'));
  });

  describe('token use attempts', () => {
    it('records an attempt, blocked when patched', () =>
      spec.given([detected, patched]).when({ type: 'RecordTokenUseAttempt', at: LATER, keyId: 'k1' }).then([
        { type: 'LeakedTokenUseAttempted', data: { leakid, attempted_at: LATER, key_id: 'k1', blocked: true } },
      ]));
    it('records an unblocked attempt', () =>
      spec.given([detected]).when({ type: 'RecordTokenUseAttempt', at: LATER }).then([
        { type: 'LeakedTokenUseAttempted', data: { leakid, attempted_at: LATER, key_id: null, blocked: false } },
      ]));
    it("keeps the gateway's observation even if the patch was removed before the attempt was recorded", () =>
      spec.given([detected]).when({ type: 'RecordTokenUseAttempt', at: LATER, keyId: 'k1', blocked: true }).then([
        { type: 'LeakedTokenUseAttempted', data: { leakid, attempted_at: LATER, key_id: 'k1', blocked: true } },
      ]));
    it('refuses an unknown leak', () => spec.given([]).when({ type: 'RecordTokenUseAttempt', at: LATER }).thenRefuses('leak_not_found'));
    it('records folded repeats as one event with their count and first time', () =>
      spec.given([detected, patched]).when({ type: 'RecordTokenUseAttempt', at: LATER, keyId: 'k1', count: 7, firstAt: AT }).then([
        { type: 'LeakedTokenUseAttempted', data: { leakid, attempted_at: LATER, key_id: 'k1', blocked: true, count: 7, first_attempted_at: AT } },
      ]));
    it('counts every folded attempt in the state', () => {
      const attempted = (count?: number): LeakEvent => ({ type: 'LeakedTokenUseAttempted', data: { leakid, attempted_at: LATER, key_id: null, blocked: true, ...(count ? { count, first_attempted_at: AT } : {}) } });
      const state = [detected, attempted(), attempted(4)].reduce(leakDecider.evolve, leakDecider.initialState());
      expect(state.status === 'open' && state.attempts).toBe(5);
    });
  });
});
