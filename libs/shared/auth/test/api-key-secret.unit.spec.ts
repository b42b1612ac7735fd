import { apiKeyMaterial, extractApiKey, generateApiKey, hashApiKey } from '../src/api-key-secret';

describe('API key material', () => {
  it('generates distinct 256-bit keys with a display prefix and a SHA-256 hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^lw_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.prefix).toBe(a.key.slice(0, 11));
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyMaterial(a.key)).toEqual(a);
  });

  it.each([
    [{ 'x-api-key': ' k1 ' }, 'k1'],
    [{ authorization: 'Bearer k2' }, 'k2'],
    [{ authorization: 'bearer   k3  ' }, 'k3'],
    [{ 'x-api-key': 'k4', authorization: 'Bearer other' }, 'k4'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    [{ authorization: 'Bearer' }, undefined],
    [{ 'x-api-key': '   ' }, undefined],
    [{}, undefined],
  ])('extracts the key from %p', (headers, expected) => expect(extractApiKey(headers)).toBe(expected));
});
