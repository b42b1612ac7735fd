import { OpenApiValidator } from './support/openapi-validator';

const document = {
  openapi: '3.1.0',
  paths: {
    '/things/{id}': {
      get: {
        responses: {
          200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          404: { description: 'no', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        },
      },
    },
    '/things/special': { get: { responses: { 204: { description: 'empty' } } } },
  },
  components: {
    schemas: {
      Problem: { type: 'object', properties: { status: { type: 'integer' }, title: { type: 'string' } }, required: ['status', 'title'] },
      Thing: {
        type: 'object',
        properties: {
          id: { type: 'string', pattern: '^[0-9a-f]{4}$' },
          at: { type: ['string', 'null'], format: 'date-time' },
          kind: { type: 'string', enum: ['a', 'b'] },
          tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
          size: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
        },
        required: ['id', 'at', 'kind'],
      },
    },
  },
};

describe('OpenApiValidator', () => {
  const validator = new OpenApiValidator(document);
  const answer = (status: number, body: unknown, contentType = 'application/json; charset=utf-8', path = '/things/ab12') => validator.validateResponse({ method: 'GET', path, status, contentType, body });

  it('accepts an answer that matches its operation, status, media type and schema', () => {
    expect(answer(200, { id: 'ab12', at: null, kind: 'a', tags: ['x'], size: 3 })).toEqual({ operation: 'GET /things/{id}', errors: [] });
    expect(answer(404, { status: 404, title: 'Not found' }, 'application/problem+json')).toEqual({ operation: 'GET /things/{id}', errors: [] });
    expect(answer(204, undefined, '', '/things/special')).toEqual({ operation: 'GET /things/special', errors: [] });
  });

  it.each([
    ['a missing required property', { id: 'ab12', kind: 'a' }, /missing required property "at"/],
    ['a wrong type', { id: 'ab12', at: 5, kind: 'a' }, /\$\.at: expected string or null/],
    ['a value outside the enum', { id: 'ab12', at: null, kind: 'c' }, /not one of/],
    ['a pattern mismatch', { id: 'xyz', at: null, kind: 'a' }, /does not match/],
    ['a bad date-time', { id: 'ab12', at: 'yesterday', kind: 'a' }, /not a date-time/],
    ['too many items', { id: 'ab12', at: null, kind: 'a', tags: ['1', '2', '3'] }, /more than 2 items/],
    ['no anyOf branch', { id: 'ab12', at: null, kind: 'a', size: -1 }, /none of anyOf/],
  ])('reports %s', (_name, body, message) => {
    expect(answer(200, body).errors.join('\n')).toMatch(message);
  });

  it('reports an undocumented status, media type, operation or body', () => {
    expect(answer(500, {}).errors[0]).toMatch(/status 500 is not documented/);
    expect(answer(404, { status: 404, title: 'x' }, 'application/json').errors[0]).toMatch(/media type application\/json is not declared/);
    expect(validator.validateResponse({ method: 'POST', path: '/things/ab12', status: 200, contentType: 'application/json', body: {} }).errors[0]).toMatch(/no such operation/);
    expect(answer(204, { surprise: true }, 'application/json', '/things/special').errors[0]).toMatch(/declares none/);
  });

  it('refuses to skip a schema keyword it does not implement', () => {
    expect(validator.validate({ type: 'string', not: { const: 'a' } }, 'a', '$')).toEqual(['$: schema keyword "not" is not supported by this validator']);
  });
});
