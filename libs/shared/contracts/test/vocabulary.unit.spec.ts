import { LEAK_ID_PATTERN, RISKS, isAdminRole, isGlobalRole, isLeakId, isLeakStatus, isRisk, isRole, leakStream, secretFingerprint } from '../src';

describe('shared vocabulary', () => {
  it('recognises leak ids: 32 lowercase hex characters, nothing else', () => {
    expect(isLeakId('b3652f2555841f7652badd9804859f4e')).toBe(true);
    for (const bad of ['B3652F2555841F7652BADD9804859F4E', 'b3652f2555841f7652badd9804859f4', 'b3652f2555841f7652badd9804859f4e0', 'x'.repeat(32), 42, null]) {
      expect(isLeakId(bad)).toBe(false);
    }
    expect(LEAK_ID_PATTERN.test('b3652f2555841f7652badd9804859f4e\n')).toBe(false);
  });

  it('fingerprints a secret as SHA-256 of its UTF-8 bytes (the value gateways look up)', () => {
    expect(secretFingerprint('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(secretFingerprint('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c'); // 2 UTF-8 bytes, not Latin-1
  });

  it('orders risks most severe first and checks untrusted values', () => {
    expect(RISKS).toEqual(['critical', 'high', 'medium', 'low']);
    expect(isRisk('high')).toBe(true);
    expect(isRisk('severe')).toBe(false);
    expect(isLeakStatus('false_positive')).toBe(true);
    expect(isLeakStatus('closed')).toBe(false);
  });

  it('tells global and admin roles apart', () => {
    expect(['global_admin', 'global_analyst', 'admin', 'analyst'].map((r) => [isRole(r), isGlobalRole(r), isAdminRole(r)])).toEqual([
      [true, true, true],
      [true, true, false],
      [true, false, true],
      [true, false, false],
    ]);
    expect(isRole('root')).toBe(false);
  });

  it('names leak streams by leak id', () => {
    expect(leakStream('b3652f2555841f7652badd9804859f4e')).toBe('leak-b3652f2555841f7652badd9804859f4e');
  });
});
