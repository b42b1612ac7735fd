import { cloudEvent } from '@leakwatch/messaging';
import { readLeakEvent } from '../src/leaks/leak-events.reader';

const LEAK = 'a'.repeat(32);
const event = (type: string, data: unknown, revision: number | null = 0) =>
  cloudEvent({ id: `e-${type}-${revision}`, type, source: 'leakwatch/test', time: '2026-11-20T10:00:00Z', data, key: LEAK, extensions: revision === null ? {} : { streamrevision: String(revision) } });

describe('leak event reader', () => {
  it('reads what the stats need from LeakDetected, lower-casing access facts', () => {
    const read = readLeakEvent(event('LeakDetected', {
      leakid: LEAK, kind: 'credential', secret_type: 'password', fingerprint: null, preview: '…(8)', identity: { email: 'Bob@Acme.example' },
      site: { url: 'https://shop.example/login', domain: 'Shop.Example' }, org_id: null, source: { name: 'stealer-log' }, risk: 'high',
      blockable: false, detected_at: '2026-11-19T09:00:00Z', finding_id: 'f1',
    }));
    expect(read).toEqual({
      revision: 0, at: '2026-11-20T10:00:00.000Z',
      fact: { type: 'LeakDetected', leakid: LEAK, kind: 'credential', secretType: 'password', orgId: null, identityEmail: 'bob@acme.example', siteDomain: 'shop.example', source: 'stealer-log', risk: 'high', detectedAt: '2026-11-19T09:00:00.000Z' },
    });
  });

  it('skips events without a stream revision, with a bad leak id, unknown types and malformed data', () => {
    expect(readLeakEvent(event('LeakStatusChanged', { leakid: LEAK, from: 'open', to: 'fixed' }, null))).toBeUndefined();
    expect(readLeakEvent(event('LeakStatusChanged', { leakid: 'nope', from: 'open', to: 'fixed' }))).toBeUndefined();
    expect(readLeakEvent(event('LeakStatusChanged', { leakid: LEAK, from: 'open', to: 'closed' }))).toBeUndefined();
    expect(readLeakEvent(event('LeakRenamed', { leakid: LEAK }))).toBeUndefined();
    expect(readLeakEvent(event('LeakStatusChanged', { leakid: LEAK, from: 'open', to: 'fixed' }, 3))?.fact).toEqual({ type: 'LeakStatusChanged', leakid: LEAK, to: 'fixed' });
  });
});
