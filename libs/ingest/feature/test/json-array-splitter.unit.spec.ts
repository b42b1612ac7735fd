import { JsonArrayError, JsonArraySplitter } from '../src/application/json-array-splitter';

/** Splits `text` into chunks at `cuts` (byte offsets) and returns every element, parsed. */
function split(text: string | Buffer, cuts: number[] = []): unknown[] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const splitter = new JsonArraySplitter();
  const elements: string[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    elements.push(...splitter.push(bytes.subarray(from, cut)));
    from = cut;
  }
  splitter.end();
  return elements.map((e) => JSON.parse(e));
}

const DOCUMENTS = [
  '[]',
  '  [ ]  \n',
  '[{"RuleID":"github-pat","Secret":"ghp_abc","Tags":[]}]',
  '[{"a":1},{"b":[1,2,{"c":"]}{["}]},{"d":"quote \\" and backslash \\\\"}]',
  '[1, -2.5e3, true, false, null, "str,with]comma", "esc \\"quoted\\" ]", [], [[1],[2]], {}]',
  '[\n  {"k": "ü ✓ 密码 🔑"},\n  {"k": "\\u00fc"}\n]\n',
  '[ 42 ]',
  '[0,1]',
];

describe('JsonArraySplitter', () => {
  it.each(DOCUMENTS)('gives the elements JSON.parse gives, wherever the chunks are cut: %s', (document) => {
    const expected = JSON.parse(document);
    const length = Buffer.byteLength(document);
    expect(split(document)).toEqual(expected);
    for (let cut = 0; cut <= length; cut++) expect(split(document, [cut])).toEqual(expected);
    const everyByte = Array.from({ length }, (_, i) => i);
    expect(split(document, everyByte)).toEqual(expected);
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(split(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"a":1}]')]))).toEqual([{ a: 1 }]);
  });

  it.each([
    ['not an array', '{"not": "an array"}', /not a JSON array/],
    ['empty', '', /empty/],
    ['unclosed', '[{"RuleID": "x", "Secret": "abc', /not closed/],
    ['unclosed after an element', '[{"a":1}', /not closed/],
    ['a missing element', '[1,,2]', /missing/],
    ['a trailing comma', '[1,]', /missing/],
    ['no comma', '[{"a":1} {"b":2}]', /comma/],
    ['content after the array', '[] x', /after the array/],
    ['a second array', '[][]', /after the array/],
    ['a stray closing brace', '[}]', /unexpected character/],
  ])('refuses %s, naming a byte offset and quoting nothing', (_name, document, message) => {
    let error: unknown;
    try {
      split(document);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonArrayError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/abc|RuleID|Secret/);
  });

  it('holds one element at a time, not the report', () => {
    const splitter = new JsonArraySplitter();
    const element = JSON.stringify({ Secret: 'x'.repeat(1000) });
    let yielded = 0;
    yielded += splitter.push(Buffer.from('[')).length;
    for (let i = 0; i < 1000; i++) yielded += splitter.push(Buffer.from(`${i ? ',' : ''}${element}`)).length;
    yielded += splitter.push(Buffer.from(']')).length;
    splitter.end();
    expect(yielded).toBe(1000);
  });
});
