/**
 * What a finding keeps of its secret (issue 15.4): a token its SHA-256 fingerprint (gateways match presented
 * tokens by it); a credential's password no hash at all, since a plain hash of a password is cracked offline.
 */
import { createHash, randomBytes } from 'node:crypto';
import { normalizeFinding } from '../src/normalization/normalize-finding';

const key = randomBytes(32);
const context = { key, orgId: '5b0a52f4-3c9d-4c43-9f0e-2d0a3e8d1c10', at: '2026-12-07T00:00:00.000Z' };
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

describe('normalizeFinding: what is kept of a secret', () => {
  it('a token keeps its SHA-256 fingerprint, so gateways can match it', () => {
    const token = 'ghp_' + 'a1'.repeat(18);
    const finding = normalizeFinding({ kind: 'token', secret: token, secretType: 'github-pat', source: { name: 'manual' }, risk: 'high' }, context);
    expect(finding).toMatchObject({ fingerprint: sha256(token), blockable: true, preview: 'ghp_…(40)' });
  });

  it('a credential keeps no hash of its password, not even in a field nobody reads', () => {
    const password = 'Summer2026!';
    const finding = normalizeFinding(
      { kind: 'credential', secret: password, secretType: 'password', identity: { email: 'Jane@Acme.example' }, site: { url: 'https://login.acme.example' }, source: { name: 'breach' }, risk: 'high' },
      context,
    );
    expect(finding).toMatchObject({ fingerprint: null, blockable: false, preview: '…(11)' });
    const stored = JSON.stringify(finding);
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(sha256(password));
    expect(stored).not.toContain(createHash('md5').update(password).digest('hex'));
    expect(stored).not.toContain(createHash('sha1').update(password).digest('hex'));
  });

  it('the same credential is still the same leak (the keyed leak id is what deduplicates)', () => {
    const input = { kind: 'credential' as const, secret: 'hunter2', secretType: 'password', identity: { email: 'bob@acme.example' }, source: { name: 'breach' }, risk: 'high' as const };
    expect(normalizeFinding(input, context).leakid).toBe(normalizeFinding(input, { ...context, at: '2026-12-08T00:00:00.000Z' }).leakid);
    expect(normalizeFinding(input, context).leakid).not.toBe(normalizeFinding({ ...input, secret: 'hunter3' }, context).leakid);
  });
});
