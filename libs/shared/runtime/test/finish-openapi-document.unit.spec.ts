import type { OpenAPIObject } from '@nestjs/swagger';
import { apiSchema, finishOpenApiDocument } from '../src/http/openapi';

const THING = apiSchema('FinishSpecThing', { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
apiSchema('FinishSpecUnused', { type: 'string' });

const given = (paths: Record<string, unknown>, schemas: Record<string, unknown> = {}): OpenAPIObject =>
  ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths, components: { schemas } }) as unknown as OpenAPIObject;

describe('finishOpenApiDocument', () => {
  const document = finishOpenApiDocument(
    given(
      {
        '/things/{id}': {
          get: {
            security: [{ 'api-key': [] }],
            'x-required-roles': ['admin'],
            responses: { 200: { description: 'ok', content: { 'application/json': { schema: THING } } }, 409: { description: 'no', content: { 'application/json': { schema: {} } } } },
          },
        },
        '/public': { get: { responses: { 200: { description: 'ok' } } } },
        '/compat': { get: { 'x-leak-lookup-compatible': true, responses: { 200: { description: 'ok' } } } },
      },
      { Dto: { type: 'object', properties: { note: { type: 'string', nullable: true }, kind: { type: 'string', enum: ['a'], nullable: true }, ref: { allOf: [{ $ref: '#/components/schemas/X' }], nullable: true } } } },
    ),
  ) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('is OpenAPI 3.1 with JSON Schema 2020-12 nulls instead of `nullable`', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas.Dto.properties).toEqual({
      note: { type: ['string', 'null'] },
      kind: { type: ['string', 'null'], enum: ['a', null] },
      ref: { anyOf: [{ allOf: [{ $ref: '#/components/schemas/X' }] }, { type: 'null' }] },
    });
  });

  it('adds the named schemas the document refers to, and only those', () => {
    expect(document.components.schemas.FinishSpecThing).toBeDefined();
    expect(document.components.schemas.Problem).toBeDefined();
    expect(document.components.schemas.FinishSpecUnused).toBeUndefined();
  });

  it('gives an authenticated operation both key schemes, its shared errors as problem+json, and RateLimit headers', () => {
    const op = document.paths['/things/{id}'].get;
    expect(op.security).toEqual([{ 'api-key': [] }, { bearer: [] }]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '429', '431', '503']);
    for (const status of ['400', '401', '403', '404', '409', '429', '431', '503']) {
      expect(Object.keys(op.responses[status].content)).toEqual(['application/problem+json']);
      expect(op.responses[status].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    }
    expect(Object.keys(op.responses['200'].headers)).toEqual(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy']);
    for (const uncounted of ['401', '431', '503']) expect(op.responses[uncounted].headers).toBeUndefined();
    expect(op.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  it('marks public operations `security: []`; a Leak-Lookup compatible one gets only the 431', () => {
    expect(document.paths['/public'].get.security).toEqual([]);
    expect(Object.keys(document.paths['/public'].get.responses).sort()).toEqual(['200', '400', '431']);
    expect(Object.keys(document.paths['/compat'].get.responses).sort()).toEqual(['200', '431']);
  });
});
