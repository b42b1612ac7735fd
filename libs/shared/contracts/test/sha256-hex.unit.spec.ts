import { createHash } from 'node:crypto';
import { secretFingerprint, sha256Hex } from '../src';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex (the fingerprint every side must compute alike)', () => {
  it.each([
    ['an empty string', ''],
    ['an ASCII token', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'],
    ['non-ASCII text, hashed as UTF-8', 'pässwörd-🔑-密码'],
    ['a long value', 'x'.repeat(10_000)],
  ])('equals SHA-256 of the UTF-8 bytes for %s', (_name, text) => {
    expect(sha256Hex(text)).toBe(reference(text));
    expect(secretFingerprint(text)).toBe(reference(text));
  });

  it('gives 64 lowercase hex characters', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
