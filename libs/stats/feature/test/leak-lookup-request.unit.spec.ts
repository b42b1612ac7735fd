import { parseLoose, parseMultipart } from '../src/usage/leak-lookup-request';

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

describe('a Leak-Lookup multipart/form-data body (read without multer)', () => {
  const type = 'multipart/form-data; boundary=----b';
  const part = (head: string, value: string) => `------b\r\n${head}\r\n\r\n${value}\r\n`;

  it('gives the text fields, and a `key` file part stands in for a missing key field', () => {
    expect(parseMultipart(`${part('Content-Disposition: form-data; name="key"', 'lw_abc')}${part('Content-Disposition: form-data; name="x"', '2')}------b--\r\n`, type)).toEqual({ key: 'lw_abc', x: '2' });
    const file = part('Content-Disposition: form-data; name="key"; filename="key"\r\nContent-Type: application/octet-stream', 'lw_from_file');
    expect(parseMultipart(`${file}------b--\r\n`, type)).toEqual({ key: 'lw_from_file' });
    expect(parseMultipart(`${part('Content-Disposition: form-data; name="key"', 'field')}${file}------b--\r\n`, type)).toEqual({ key: 'field' });
  });

  it('decodes UTF-8 values and takes a quoted boundary', () => {
    const latin1 = Buffer.from(`--q\r\nContent-Disposition: form-data; name="key"\r\n\r\nlw_é\r\n--q--\r\n`, 'utf8').toString('latin1');
    expect(parseMultipart(latin1, 'multipart/form-data; boundary="q"')).toEqual({ key: 'lw_é' });
  });

  it('has no parameters when malformed, without a boundary, or over the limits', () => {
    expect(parseMultipart('--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nabc', 'multipart/form-data; boundary=x')).toBeUndefined(); // never closed
    expect(parseMultipart('anything', 'multipart/form-data')).toBeUndefined();
    expect(parseMultipart(`${part('Content-Disposition: form-data; name="key"', 'x'.repeat(4097))}------b--\r\n`, type)).toBeUndefined();
    expect(parseMultipart(`${Array.from({ length: 25 }, (_, i) => part(`Content-Disposition: form-data; name="f${i}"`, 'v')).join('')}------b--\r\n`, type)).toBeUndefined();
  });
});
