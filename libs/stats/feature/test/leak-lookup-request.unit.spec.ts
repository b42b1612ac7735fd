import { parseLoose } from '../src/usage/leak-lookup-request';

describe('a Leak-Lookup body sent without a content type', () => {
  it('is a form, or JSON when it looks like an object', () => {
    expect(parseLoose('key=lw_abc%2B1&x=2')).toEqual({ key: 'lw_abc+1', x: '2' });
    expect(parseLoose(' {"key":"lw_abc"} ')).toEqual({ key: 'lw_abc' });
  });

  it('has no parameters when empty or broken JSON', () => {
    expect(parseLoose('')).toBeUndefined();
    expect(parseLoose('  \n')).toBeUndefined();
    expect(parseLoose('{"key":')).toBeUndefined();
  });
});
