import { readLeakEventV1 } from '../src';

const leakid = 'b3652f2555841f7652badd9804859f4e';
const detected = {
  leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)', identity: { email: 'dev@acme.example', username: null },
  site: null, org_id: 'o1', source: { name: 'gitleaks', url: null }, risk: 'high', blockable: true, location: { file: 'a.env' }, detected_at: '2026-11-25T10:00:00.000Z',
};

describe('reading leakwatch.leaks.v1 as a consumer', () => {
  it('reads every event type of the contract', () => {
    expect(readLeakEventV1('LeakDetected', detected)).toEqual({ type: 'LeakDetected', data: detected });
    expect(readLeakEventV1('LeakSighted', { leakid, source: { name: 'trufflehog' }, seen_at: '2026-11-26T00:00:00Z' })).toEqual({
      type: 'LeakSighted', data: { leakid, source: { name: 'trufflehog', url: null }, seen_at: '2026-11-26T00:00:00Z', location: null },
    });
    expect(readLeakEventV1('LeakStatusChanged', { leakid, from: 'open', to: 'fixed', comment: 'rotated', reason: 'decision' })).toMatchObject({ data: { from: 'open', to: 'fixed' } });
    expect(readLeakEventV1('VirtualPatchApplied', { leakid })).toEqual({ type: 'VirtualPatchApplied', data: { leakid } });
    expect(readLeakEventV1('VirtualPatchRemoved', { leakid, reason: 'status_changed' })).toMatchObject({ data: { reason: 'status_changed' } });
    expect(readLeakEventV1('LeakedTokenUseAttempted', { leakid, attempted_at: '2026-11-26T00:00:00Z', key_id: 'k', blocked: true })).toMatchObject({ data: { blocked: true } });
  });

  it('reads folded attempts: a count of 2 or more with its first time; any other count is one attempt', () => {
    const at = '2026-11-26T00:00:05Z';
    expect(readLeakEventV1('LeakedTokenUseAttempted', { leakid, attempted_at: at, key_id: 'k', blocked: true, count: 3, first_attempted_at: '2026-11-26T00:00:01Z' })?.data)
      .toEqual({ leakid, attempted_at: at, key_id: 'k', blocked: true, count: 3, first_attempted_at: '2026-11-26T00:00:01Z' });
    expect(readLeakEventV1('LeakedTokenUseAttempted', { leakid, attempted_at: at, count: 3 })?.data).toMatchObject({ count: 3, first_attempted_at: at });
    for (const count of [1, 0, -2, 2.5, '3', null]) {
      expect(readLeakEventV1('LeakedTokenUseAttempted', { leakid, attempted_at: at, count })?.data).not.toHaveProperty('count');
    }
  });

  it('ignores fields it does not know (an additive change needs no new topic version)', () => {
    expect(readLeakEventV1('VirtualPatchApplied', { leakid, by_gateway: 'eu-1' })).toEqual({ type: 'VirtualPatchApplied', data: { leakid } });
  });

  it('answers undefined for what is not the contract: unknown types, bad ids, missing or mistyped required fields', () => {
    expect(readLeakEventV1('LeakExploded', { leakid })).toBeUndefined();
    expect(readLeakEventV1('VirtualPatchApplied', { leakid: 'LEAK-1' })).toBeUndefined();
    expect(readLeakEventV1('VirtualPatchApplied', null)).toBeUndefined();
    expect(readLeakEventV1('LeakDetected', { ...detected, risk: 'severe' })).toBeUndefined();
    expect(readLeakEventV1('LeakDetected', { ...detected, source: 'gitleaks' })).toBeUndefined();
    expect(readLeakEventV1('LeakStatusChanged', { leakid, from: 'open', to: 'closed' })).toBeUndefined();
    expect(readLeakEventV1('LeakedTokenUseAttempted', { leakid, attempted_at: 'yesterday' })).toBeUndefined();
  });
});
