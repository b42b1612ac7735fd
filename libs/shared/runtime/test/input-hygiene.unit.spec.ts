import { MAX_INPUT_DEPTH, bodyParserRefusal, findInputFault, pathFault, UnacceptableInputError } from '../src';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('input hygiene: what PostgreSQL and the validators cannot take is refused, naming the field', () => {
  it('finds NUL characters in values and property names, with the JSON path of the field', () => {
    expect(findInputFault({ source: { name: 'a\u0000b' } })).toEqual({ field: 'source.name', message: expect.stringContaining('NUL') });
    expect(findInputFault({ tokens: [{ value: 'x' }, { value: '\u0000' }] })).toEqual({ field: 'tokens[1].value', message: expect.stringContaining('NUL') });
    expect(findInputFault({ source: { 'na\u0000me': 'x' } })?.field).toBe('source');
    expect(findInputFault('a\u0000', 'q')?.field).toBe('q');
  });

  it('finds lone surrogates, and lets paired ones (emoji) through', () => {
    expect(findInputFault({ comment: 'a\ud800b' })).toEqual({ field: 'comment', message: expect.stringContaining('surrogate') });
    expect(findInputFault({ comment: 'a\udc00' })?.field).toBe('comment');
    expect(findInputFault({ comment: 'ok 🔑 ü 中' })).toBeUndefined();
  });

  it('refuses nesting deeper than the limit without recursing (1,900 levels do not overflow the stack)', () => {
    expect(findInputFault(nested(MAX_INPUT_DEPTH))).toBeUndefined();
    expect(findInputFault(nested(MAX_INPUT_DEPTH + 1))?.message).toMatch(/nested deeper than 32/);
    expect(findInputFault({ tokens: nested(1900) })?.field).toMatch(/^tokens(\[0\])+$/);
    expect(findInputFault({ a: 1, b: true, c: null, d: [1, 'x'] })).toBeUndefined();
  });

  it('refuses path segments that do not decode or decode to NUL', () => {
    expect(pathFault('/api/v1/domains/acme.com/verify')).toBeUndefined();
    expect(pathFault('/api/v1/domains/a%E0%A4%A/verify')).toEqual({ field: 'path[4]', message: expect.stringContaining('percent-encoded') });
    expect(pathFault('/api/v1/domains/a%00b')?.field).toBe('path[4]');
  });

  it('turns a body parser error into a refusal that does not quote the body', () => {
    const parserError = Object.assign(new SyntaxError('Unexpected token \'g\', "ghp_secret" is not valid JSON'), { status: 400, type: 'entity.parse.failed' });
    const refusal = bodyParserRefusal(parserError) as UnacceptableInputError;
    expect(refusal).toBeInstanceOf(UnacceptableInputError);
    expect(refusal).toMatchObject({ status: 400, slug: 'malformed-body', fault: { field: 'body' } });
    expect(refusal.message).not.toContain('ghp_');
    expect(bodyParserRefusal(Object.assign(new Error('too big'), { status: 413, type: 'entity.too.large' }))).toMatchObject({ status: 413, slug: 'payload-too-large' });
    const other = new Error('not a parser error');
    expect(bodyParserRefusal(other)).toBe(other);
  });
});
