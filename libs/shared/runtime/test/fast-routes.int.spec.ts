/**
 * The fast-route table over a real HTTP server: what it takes (exact path and method, a bounded JSON body or
 * none) and what it leaves to the framework untouched (a query string, another content type, a chunked or large
 * body, a closing server), and that what it takes gets the full pipeline's answers: problem+json refusals naming
 * the field, the route pattern as `instance`, a 500 that says nothing of the error, the duration histogram.
 */
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { FAST_BODY_LIMIT, FastRoutes, ProblemException } from '../src';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('FastRoutes', () => {
  let server: Server;
  let port: number;
  let routes: FastRoutes;
  let registry: Registry;
  const seen: unknown[] = [];

  beforeAll(async () => {
    registry = new Registry();
    routes = new FastRoutes(registry);
    routes.add({
      method: 'POST',
      path: '/fast/echo',
      body: 'json',
      handle: async (request, response) => {
        seen.push(request.body);
        response.setHeader('x-set-before', 'kept');
        const body = request.body as { fail?: string };
        if (body.fail === 'problem') throw new ProblemException(422, 'nope', 'Refused', 'Not this one.', { retry_after: 3 });
        if (body.fail === 'crash') throw new Error('database password is hunter2');
        return { status: 200, body: JSON.stringify({ echoed: request.body }) };
      },
    });
    // Answers in the turn the body completed (no promise), and throws synchronously for a refusal.
    routes.add({
      method: 'POST',
      path: '/fast/sync',
      body: 'json',
      handle: (request) => {
        if ((request.body as { fail?: boolean }).fail) throw new ProblemException(409, 'sync-nope', 'Conflict', 'Refused at once.');
        return { status: 200, body: JSON.stringify({ got: request.body }) };
      },
    });
    routes.add({ method: '*', path: '/fast/empty', body: 'none', handle: () => ({ status: 204, headers: { 'x-verdict': 'allow' } }) });
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (routes.take(req, res)) return;
      req.resume();
      res.writeHead(299, { 'x-fallback': 'yes' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections(); // the client's keep-alive sockets would hold the server (and jest) open
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const send = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, chunked = false): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...(body !== undefined && !chunked ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  const json = { 'content-type': 'application/json' };

  it('answers its exact path (and with a trailing slash) with the handler\'s answer and the headers set before it', async () => {
    for (const path of ['/fast/echo', '/fast/echo/']) {
      const answer = await send('POST', path, '{"token":"a"}', json);
      expect(answer).toMatchObject({ status: 200, body: '{"echoed":{"token":"a"}}' });
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['x-set-before']).toBe('kept');
    }
    const empty = await send('GET', '/fast/empty');
    expect(empty).toMatchObject({ status: 204, body: '' });
    expect(empty.headers['x-verdict']).toBe('allow');
    expect((await send('HEAD', '/fast/empty')).status).toBe(204);
  });

  it('answers a synchronous handler (and its synchronous throw), and a body sent in pieces once its last byte arrived', async () => {
    expect(await send('POST', '/fast/sync', '{"a":1}', json)).toMatchObject({ status: 200, body: '{"got":{"a":1}}' });
    const refused = await send('POST', '/fast/sync', '{"fail":true}', json);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body)).toMatchObject({ type: expect.stringContaining('sync-nope'), instance: '/fast/sync' });

    const body = JSON.stringify({ token: 'x'.repeat(5000), n: 2 });
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/fast/sync', headers: { ...json, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 1000)); // the rest follows later: the route must wait for it
      setTimeout(() => req.end(body.slice(1000)), 50);
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ got: { token: 'x'.repeat(5000), n: 2 } });
  });

  it('leaves everything else to the framework, unread', async () => {
    const fallback = async (answer: Promise<Answer>) => expect((await answer).headers['x-fallback']).toBe('yes');
    await fallback(send('POST', '/fast/echo?x=1', '{}', json)); // a query string: the framework's URL gate reads it
    await fallback(send('GET', '/fast/echo')); // another method
    await fallback(send('POST', '/fast/echo', 'token=a', { 'content-type': 'application/x-www-form-urlencoded' }));
    await fallback(send('POST', '/fast/echo', '{}', { 'content-type': 'application/merge-patch+json' }));
    await fallback(send('POST', '/fast/echo', '{}', { ...json, 'transfer-encoding': 'chunked' }, true));
    await fallback(send('POST', '/fast/echo', `{"token":"${'a'.repeat(FAST_BODY_LIMIT)}"}`, json)); // over the fast limit
    await fallback(send('POST', '/fast/empty', 'x', { 'content-type': 'text/plain' })); // a body where none is expected
    await fallback(send('GET', '/fast/other'));
  });

  it('refuses a body the full pipeline would refuse, in the same words, before the handler runs', async () => {
    const before = seen.length;
    const malformed = await send('POST', '/fast/echo', '{"token":', json);
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(malformed.body)).toMatchObject({ type: 'https://leakwatch.dev/problems/malformed-body', errors: [{ field: 'body' }], instance: '/fast/echo' });
    expect(malformed.body).not.toContain('token');
    const nul = await send('POST', '/fast/echo', '{"token":"a\\u0000b"}', json);
    expect(nul.status).toBe(400);
    expect(JSON.parse(nul.body).errors).toEqual([{ field: 'token', message: expect.stringContaining('NUL') }]);
    const scalar = await send('POST', '/fast/echo', '"just a string"', json);
    expect(scalar.status).toBe(400);
    expect(seen.length).toBe(before);
  });

  it('answers a thrown problem as problem+json with the route as instance, and a crash as a 500 that quotes nothing', async () => {
    const refused = await send('POST', '/fast/echo', '{"fail":"problem"}', json);
    expect(refused.status).toBe(422);
    expect(refused.headers['retry-after']).toBe('3');
    expect(refused.headers['x-set-before']).toBe('kept');
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'https://leakwatch.dev/problems/nope', title: 'Refused', status: 422, instance: '/fast/echo' });
    const crashed = await send('POST', '/fast/echo', '{"fail":"crash"}', json);
    expect(crashed.status).toBe(500);
    expect(JSON.parse(crashed.body)).toMatchObject({ type: 'https://leakwatch.dev/problems/internal-error', instance: '/fast/echo' });
    expect(crashed.body).not.toContain('hunter2');
  });

  it('times every answer in the HTTP duration histogram by route pattern and status', async () => {
    await send('POST', '/fast/echo', '{}', json);
    const metric = await registry.getSingleMetricAsString('leakwatch_http_request_duration_seconds');
    expect(metric).toMatch(/leakwatch_http_request_duration_seconds_count\{method="POST",route="\/fast\/echo",status="200"\} [1-9]/);
    expect(metric).toMatch(/leakwatch_http_request_duration_seconds_count\{method="POST",route="\/fast\/echo",status="400"\} [1-9]/);
  });

  it('hands every request to the framework once the application shuts down', async () => {
    routes.onApplicationShutdown();
    expect((await send('POST', '/fast/echo', '{}', json)).headers['x-fallback']).toBe('yes');
  });
});
