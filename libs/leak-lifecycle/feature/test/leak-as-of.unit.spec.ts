/**
 * Issue 10.3: `?as_of=` is the past for every field. A history of several decisions (fix, reopen, patch,
 * fix again, false positive), asked at each moment and just before it: nothing from later, nothing from today.
 */
import { leakAsOf, TimedEvent } from '../src/read-model/leak-as-of';

const leakid = '3f9a0c1b2d4e5f60718293a4b5c6d7e8';
const t = (minute: number) => new Date(Date.UTC(2026, 10, 25, 10, minute)).toISOString();
const before = (minute: number) => new Date(Date.UTC(2026, 10, 25, 10, minute) - 1).toISOString();
const status = (from: string, to: string) => ({ type: 'LeakStatusChanged', data: { leakid, from, to, comment: null, reason: 'decision' } });

const history: TimedEvent[] = [
  {
    type: 'LeakDetected', time: t(0),
    data: {
      leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'e'.repeat(64), preview: 'ghp_…(40)', identity: { email: 'Dev@Acme.example' }, site: null,
      org_id: 'o1', source: { name: 'gitleaks' }, risk: 'high', blockable: true, detected_at: t(0), finding_id: 'f1',
    },
  },
  { type: 'LeakSighted', time: t(5), data: { leakid, source: { name: 'trufflehog' }, seen_at: t(5), finding_id: 'f2' } },
  { ...status('open', 'fixed'), time: t(10) },
  { ...status('fixed', 'open'), time: t(20) },
  { type: 'VirtualPatchApplied', time: t(25), data: { leakid } },
  { type: 'LeakedTokenUseAttempted', time: t(27), data: { leakid, attempted_at: t(27), key_id: null, blocked: true } },
  { ...status('open', 'fixed'), time: t(30) },
  { type: 'VirtualPatchRemoved', time: t(30), data: { leakid, reason: 'status_changed' } },
  { ...status('fixed', 'false_positive'), time: t(40) },
].map((e, revision) => ({ ...e, revision }));

describe('leak as of a moment (issue 10.3)', () => {
  it('did not exist before it was detected', () => expect(leakAsOf(history, before(0))).toBeUndefined());

  it.each([
    ['at detection', t(0), { status: 'open', fixed_at: null, virtual_patch: false, sightings: 1, sources: ['gitleaks'], last_seen: t(0), attempts: 0, revision: 0 }],
    ['just before the first fix', before(10), { status: 'open', fixed_at: null, sightings: 2, sources: ['gitleaks', 'trufflehog'], last_seen: t(5), revision: 1 }],
    ['at the first fix', t(10), { status: 'fixed', fixed_at: t(10), revision: 2 }],
    ['reopened, before the second fix', before(30), { status: 'open', fixed_at: null, virtual_patch: true, attempts: 1, revision: 5 }],
    ['at the second fix', t(30), { status: 'fixed', fixed_at: t(30), virtual_patch: false, revision: 7 }],
    ['marked false positive', t(40), { status: 'false_positive', fixed_at: null, revision: 8 }],
  ])('%s', (_name, asOf, expected) => {
    expect(leakAsOf(history, asOf)).toMatchObject({ ...expected, as_of: asOf, first_seen: t(0), leakid, risk: 'high', identity: { email: 'dev@acme.example', username: null } });
  });

  it('an event stamped earlier than the one recorded before it (a late attempt) takes effect with it, not before', () => {
    const late = [...history.slice(0, 3), { type: 'LeakedTokenUseAttempted', time: t(8), data: { leakid, attempted_at: t(8), key_id: null, blocked: false }, revision: 3 }];
    // At t(9) the stream had only reached the detection and the sighting: the fix (t(10)) is recorded before the attempt.
    expect(leakAsOf(late, t(9))).toMatchObject({ status: 'open', attempts: 0, revision: 1 });
    expect(leakAsOf(late, t(10))).toMatchObject({ status: 'fixed', attempts: 1, revision: 3 });
  });

  it('never shows a credential’s password hash, even from an old event', () => {
    const old = [{ ...history[0], data: { ...(history[0].data as object), kind: 'credential', blockable: false } }];
    expect(leakAsOf(old, t(1))).toMatchObject({ kind: 'credential', fingerprint: null });
  });
});
