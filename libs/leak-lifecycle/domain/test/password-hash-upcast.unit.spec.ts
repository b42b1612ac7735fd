/**
 * Issue 15.4: leaks recorded before passwords lost their hash carry the plain SHA-256 of the password in
 * `LeakDetected` (and in the `FindingReceived` it came from). The decider reads them without it, and a new
 * leak made from such an old finding is recorded without it.
 */
import { DeciderSpecification } from '@leakwatch/testing';
import { LeakDetectedData, LeakEvent, leakDecider } from '../src';

const AT = '2026-11-25T10:00:00.000Z';
const leakid = '0b6f1c1e9d2a4c3b8a7f6e5d4c3b2a19';
const PLAIN_SHA256_OF_PASSWORD = '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8'; // sha256("password")
const oldCredential: Omit<LeakDetectedData, 'detected_at'> = {
  leakid, kind: 'credential', secret_type: 'password', fingerprint: PLAIN_SHA256_OF_PASSWORD, preview: '…(8)',
  identity: { email: 'jane@acme.example' }, site: { url: 'https://login.acme.example', domain: 'login.acme.example' },
  org_id: 'o1', source: { name: 'breach' }, risk: 'high', blockable: false, finding_id: 'f1',
};
const spec = DeciderSpecification.for(leakDecider);

describe('leak decider: no plain password hash (issue 15.4)', () => {
  it('an old finding with a password hash becomes a leak without it', () =>
    spec.given([]).when({ type: 'RecordFinding', finding: oldCredential, at: AT }).then([
      { type: 'LeakDetected', data: { ...oldCredential, fingerprint: null, detected_at: AT } },
    ]));

  it('an old LeakDetected with a password hash is read without it', () =>
    spec.given([{ type: 'LeakDetected', data: { ...oldCredential, detected_at: AT } } as LeakEvent]).when({ type: 'SetVirtualPatch', enabled: false }).thenState({
      status: 'open', leak: { ...oldCredential, fingerprint: null, detected_at: AT }, virtualPatch: false, attempts: 0, firstSeen: AT, lastSeen: AT,
      sightings: [{ source: oldCredential.source, seen_at: AT }],
    }));

  it('a token keeps its fingerprint', () =>
    spec.given([]).when({ type: 'RecordFinding', finding: { ...oldCredential, kind: 'token', blockable: true }, at: AT }).then([
      { type: 'LeakDetected', data: { ...oldCredential, kind: 'token', blockable: true, detected_at: AT } },
    ]));
});
