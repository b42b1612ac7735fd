import {
  challengeRecordName,
  challengeRecordValue,
  txtRecordsProve,
  wellKnownContentProves,
  wellKnownUrl,
} from '../src';

describe('where the proof lives', () => {
  it('names the TXT record, its value and the well-known URL', () => {
    expect(challengeRecordName('acme.com')).toBe('_leakwatch-challenge.acme.com');
    expect(challengeRecordName('Acme.COM.')).toBe('_leakwatch-challenge.acme.com');
    expect(challengeRecordValue('tok-123')).toBe('leakwatch-verification=tok-123');
    expect(wellKnownUrl('acme.com')).toBe('https://acme.com/.well-known/leakwatch-verification.txt');
  });

  it.each(['', 'https://acme.com', 'acme.com/path', 'acme.com:443', 'acme com', '-acme.com'])(
    'throws on the malformed domain %j (a caller bug)',
    (domain) => {
      expect(() => challengeRecordName(domain)).toThrow(TypeError);
      expect(() => wellKnownUrl(domain)).toThrow(TypeError);
    },
  );

  it.each(['', 'has space', 'new\nline'])('throws on the malformed token %j (a caller bug)', (token) => {
    expect(() => challengeRecordValue(token)).toThrow(TypeError);
  });
});

describe('txtRecordsProve', () => {
  const token = 'tok-123';

  it('accepts any one matching record among several', () => {
    expect(txtRecordsProve([['v=spf1 -all'], ['leakwatch-verification=other'], ['leakwatch-verification=tok-123']], token)).toBe(true);
  });

  it('joins a record split into several strings', () => {
    expect(txtRecordsProve([['leakwatch-verification=', 'tok-', '123']], token)).toBe(true);
  });

  it('does not join separate records, nor accept prefixes, suffixes or the bare token', () => {
    expect(txtRecordsProve([['leakwatch-verification='], ['tok-123']], token)).toBe(false);
    expect(txtRecordsProve([['leakwatch-verification=tok-1234']], token)).toBe(false);
    expect(txtRecordsProve([['tok-123']], token)).toBe(false);
    expect(txtRecordsProve([], token)).toBe(false);
  });
});

describe('wellKnownContentProves', () => {
  const token = 'tok-123';

  it.each([
    ['the exact line', 'leakwatch-verification=tok-123'],
    ['surrounded by whitespace and a BOM', '\uFEFF  leakwatch-verification=tok-123  \n\n'],
    ['among other lines, CRLF', '# our verifications\r\ngoogle-site-verification=abc\r\nleakwatch-verification=tok-123\r\n'],
    ['as the bare token (tolerated)', 'tok-123\n'],
  ])('accepts %s', (_, body) => {
    expect(wellKnownContentProves(body, token)).toBe(true);
  });

  it.each([
    ['another token', 'leakwatch-verification=tok-999'],
    ['the token inside a longer line', 'leakwatch-verification=tok-123 please'],
    ['the token embedded in HTML', '<html><body>leakwatch-verification=tok-123</body></html>'],
    ['an empty file', ''],
  ])('refuses %s', (_, body) => {
    expect(wellKnownContentProves(body, token)).toBe(false);
  });
});
