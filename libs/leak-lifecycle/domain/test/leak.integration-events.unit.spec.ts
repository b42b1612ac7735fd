import { LeakEvent, LeakDetectedData, toLeakEventV1 } from '../src';

const LEAK = 'ab'.repeat(16);
const detected = (overrides: Partial<LeakDetectedData> = {}): LeakEvent => ({
  type: 'LeakDetected',
  data: {
    leakid: LEAK, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)',
    identity: { email: 'dev@acme.test' }, site: null, org_id: 'org-1', source: { name: 'gitleaks' }, risk: 'high',
    blockable: true, detected_at: '2026-01-01T00:00:00.000Z', finding_id: 'finding-internal', ...overrides,
  },
});

describe('leak events → leakwatch.leaks.v1', () => {
  it('LeakDetected: explicit fields only (no finding id), optional fields as explicit nulls', () => {
    expect(toLeakEventV1(detected())).toEqual({
      type: 'LeakDetected',
      data: {
        leakid: LEAK, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)',
        identity: { email: 'dev@acme.test', username: null }, site: null, org_id: 'org-1', source: { name: 'gitleaks', url: null },
        risk: 'high', blockable: true, location: null, detected_at: '2026-01-01T00:00:00.000Z',
      },
    });
  });

  it('a credential recorded with a plain password hash is published without it', () => {
    const mapped = toLeakEventV1(detected({ kind: 'credential', secret_type: 'password', fingerprint: 'e'.repeat(64), blockable: false }));
    expect(mapped?.data).toMatchObject({ kind: 'credential', fingerprint: null });
  });

  it('decisions, patches, sightings and attempts keep their public fields', () => {
    expect(toLeakEventV1({ type: 'LeakStatusChanged', data: { leakid: LEAK, from: 'open', to: 'fixed', comment: null, reason: 'decision' } }))
      .toEqual({ type: 'LeakStatusChanged', data: { leakid: LEAK, from: 'open', to: 'fixed', comment: null, reason: 'decision' } });
    expect(toLeakEventV1({ type: 'LeakSighted', data: { leakid: LEAK, source: { name: 'x', url: 'https://x' }, seen_at: 't', finding_id: 'internal' } }))
      .toEqual({ type: 'LeakSighted', data: { leakid: LEAK, source: { name: 'x', url: 'https://x' }, seen_at: 't', location: null } });
    expect(toLeakEventV1({ type: 'VirtualPatchRemoved', data: { leakid: LEAK, reason: 'status_changed' } }))
      .toEqual({ type: 'VirtualPatchRemoved', data: { leakid: LEAK, reason: 'status_changed' } });
    expect(toLeakEventV1({ type: 'LeakedTokenUseAttempted', data: { leakid: LEAK, attempted_at: 't', key_id: null, blocked: true } }))
      .toEqual({ type: 'LeakedTokenUseAttempted', data: { leakid: LEAK, attempted_at: 't', key_id: null, blocked: true } });
  });

  it('an unknown stored type is not published', () => {
    expect(toLeakEventV1({ type: 'SomethingInternal', data: { leakid: LEAK } } as unknown as LeakEvent)).toBeNull();
  });
});
