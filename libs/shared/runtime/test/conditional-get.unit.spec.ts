/**
 * Conditional GETs: which answers get an ETag and which requests are answered 304 (a bare Fastify with the
 * same hook the app installs; the embedded app's 304 is tested end to end in console.e2e.spec.ts).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import Fastify, { FastifyInstance } from 'fastify';
import { registerConditionalGet, weakEtagOf } from '../src/http/conditional-get';

describe('conditional GET (ETag / If-None-Match)', () => {
  let app: FastifyInstance;
  let body = { items: [1, 2, 3] };
  const TEXT = '{"preview":"é ü 中文 😀 \\u0001"}';

  beforeAll(async () => {
    app = Fastify();
    await registerConditionalGet(app);
    app.get('/api/v1/list', async () => body);
    app.post('/api/v1/list', async () => body);
    app.get('/api/v1/missing', async (_req, reply) => reply.code(404).send({ status: 404 }));
    app.get('/api/v1/own', async (_req, reply) => reply.header('etag', '"7"').send({ revision: 7 }));
    app.get('/api/v1/export', async (_req, reply) => reply.type('application/x-ndjson').send(Readable.from(['{"a":1}\n', '{"a":2}\n'])));
    app.get('/api/v1/text', async (_req, reply) => reply.type('application/json; charset=utf-8').send(TEXT));
    app.get('/health/live', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('gives a GET under /api/v1 a weak ETag and answers 304 with no body while it is unchanged', async () => {
    const first = await app.inject({ method: 'GET', url: '/api/v1/list' });
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await app.inject({ method: 'GET', url: '/api/v1/list', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    body = { items: [1, 2, 3, 4] };
    const changed = await app.inject({ method: 'GET', url: '/api/v1/list', headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual(body);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('weakEtagOf gives the ETag the hook computes for the same bytes (a route that sets it itself changes nothing for clients)', async () => {
    const text = await app.inject({ method: 'GET', url: '/api/v1/text' });
    expect(text.headers.etag).toBe(weakEtagOf(Buffer.from(TEXT, 'utf8')));
    expect(weakEtagOf(TEXT)).toBe(weakEtagOf(Buffer.from(TEXT, 'utf8')));
    expect(weakEtagOf('{"a":1}')).not.toBe(weakEtagOf('{"a":2}'));
  });

  it('leaves POSTs, errors and pages outside the API alone, even with a matching If-None-Match', async () => {
    const etag = (await app.inject({ method: 'GET', url: '/api/v1/list' })).headers.etag as string;
    const post = await app.inject({ method: 'POST', url: '/api/v1/list', headers: { 'if-none-match': etag } });
    expect(post.statusCode).toBe(200);
    expect(post.headers.etag).toBeUndefined();
    const missing = await app.inject({ method: 'GET', url: '/api/v1/missing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers.etag).toBeUndefined();
    const health = await app.inject({ method: 'GET', url: '/health/live' });
    expect(health.headers.etag).toBeUndefined();
  });

  it('keeps a route\'s own ETag, and pipes a streamed answer without hashing it', async () => {
    const own = await app.inject({ method: 'GET', url: '/api/v1/own' });
    expect(own.headers.etag).toBe('"7"');
    expect((await app.inject({ method: 'GET', url: '/api/v1/own', headers: { 'if-none-match': '"7"' } })).statusCode).toBe(304);
    expect((await app.inject({ method: 'GET', url: '/api/v1/own', headers: { 'if-none-match': '"6"' } })).statusCode).toBe(200);
    const exported = await app.inject({ method: 'GET', url: '/api/v1/export' });
    expect(exported.statusCode).toBe(200);
    expect(exported.body).toBe('{"a":1}\n{"a":2}\n');
    expect(exported.headers.etag).toBeUndefined();
  });

  it('sends a JSON text body byte for byte, with its length, and the SHA-1 of its UTF-8 bytes as the weak ETag', async () => {
    const answer = await app.inject({ method: 'GET', url: '/api/v1/text' });
    expect(answer.body).toBe(TEXT);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(TEXT)));
    expect(answer.headers.etag).toBe(`W/"${createHash('sha1').update(TEXT, 'utf8').digest('base64')}"`);
    expect((await app.inject({ method: 'GET', url: '/api/v1/text', headers: { 'if-none-match': answer.headers.etag as string } })).statusCode).toBe(304);
  });
});
