/**
 * The token check and the authorize endpoint are answered on the fast path (before Fastify and Nest) when the
 * request is plain, and by their Nest controllers otherwise (here forced by a query string, which the fast path
 * leaves to the framework). Both must give the same answer to the same request: status, media type, body
 * (problem+json refusals included), verdict and rate-limit headers — over real HTTP, against a real process.
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '@leakwatch/testing';
import { E2e, startE2e } from './support/e2e-harness';

interface Raw {
  status: number;
  type: string | null;
  body: string;
  headers: Headers;
}

describe('token fast path ≡ Nest controllers (e2e)', () => {
  let e2e: E2e;
  let admin: string;
  let leaked: string;
  let blocked: string;
  let blockedLeakid: string;

  const raw = async (path: string, init: RequestInit): Promise<Raw> => {
    const response = await fetch(`${e2e.app.url}${path}`, init);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text(), headers: response.headers };
  };
  /** The same request, fast (exact path) and through Nest (`?via=nest`). */
  const both = async (path: string, init: RequestInit): Promise<[Raw, Raw]> => [await raw(path, init), await raw(`${path}?via=nest`, init)];
  const comparable = (r: Raw) => ({
    status: r.status,
    type: r.type,
    body: r.body ? (JSON.parse(r.body) as unknown) : '',
    verdict: r.headers.get('x-leakwatch-verdict'),
    leakid: r.headers.get('x-leakwatch-leakid'),
    cache: r.headers.get('cache-control'),
    retryAfter: r.headers.get('retry-after'),
    rateLimited: [r.headers.get('ratelimit-limit'), r.headers.get('ratelimit-policy'), r.headers.get('ratelimit-remaining') !== null],
  });
  const expectSame = ([fast, nest]: [Raw, Raw]) => {
    expect(comparable(fast)).toEqual(comparable(nest));
    return comparable(fast);
  };

  beforeAll(async () => {
    e2e = await startE2e();
    admin = (await e2e.organisation('Acme', { sec: { role: 'admin' } })).keys.sec;
    leaked = `ghp_${randomBytes(18).toString('hex')}`;
    blocked = `ghp_${randomBytes(18).toString('hex')}`;
    const added = await e2e.call('POST', '/api/v1/leaks', admin, { source: { name: 'pastebin' }, tokens: [{ value: leaked }, { value: blocked }] });
    blockedLeakid = added.body.leakids[1];
    await eventually('the leak is listed', () => e2e.call('GET', `/api/v1/leaks/${blockedLeakid}`, admin), (r) => r.status === 200);
    expect((await e2e.call('POST', '/api/v1/leaks/virtual-patch', admin, { leakid: blockedLeakid, enabled: true })).status).toBe(200);
    await eventually('the patch reached the gateway', () => e2e.call('POST', '/api/v1/tokens/check', admin, { token: blocked }), (r) => r.body.blocked === true);
  }, 90_000);
  afterAll(async () => e2e?.stop());

  it('POST /api/v1/tokens/check: the same verdicts and the same refusals', async () => {
    const check = (body: string, key: string | undefined = admin, type = 'application/json') =>
      both('/api/v1/tokens/check', { method: 'POST', headers: { 'content-type': type, ...(key ? { 'x-api-key': key } : {}) }, body });
    expect(expectSame(await check(JSON.stringify({ token: blocked })))).toMatchObject({ status: 200, body: { leaked: true, blocked: true, leakid: blockedLeakid } });
    expect(expectSame(await check(JSON.stringify({ token: leaked })))).toMatchObject({ status: 200, body: { leaked: true, blocked: false } });
    expect(expectSame(await check(JSON.stringify({ token: 'ghp_not-leaked' })))).toMatchObject({ status: 200, body: { leaked: false, blocked: false } });
    expect(expectSame(await check(JSON.stringify({ sha256: 'a'.repeat(64) })))).toMatchObject({ status: 200 });
    expect(expectSame(await check(JSON.stringify({ token: blocked }), undefined, 'application/json; charset=utf-8'))).toMatchObject({ status: 200 });
    for (const body of ['{}', '{"token":1}', '{"token":""}', '{"token":"a","sha256":"b"}', '{"sha256":"XYZ"}', '{"token":"a","extra":1}', '{"token":"a\\u0000"}', '{"token":', '[1]', '']) {
      const same = expectSame(await check(body));
      expect([same.status, body]).toEqual([400, body]);
    }
    expect(expectSame(await check(JSON.stringify({ token: blocked }), 'lw_not-a-key'))).toMatchObject({ status: 401, body: { type: 'https://leakwatch.dev/problems/invalid-api-key' } });
    expect(expectSame(await check(JSON.stringify({ token: blocked }), ''))).toMatchObject({ status: 401, body: { type: 'https://leakwatch.dev/problems/missing-api-key' } });
    expect(e2e.app.output()).not.toContain(blocked);
  });

  it('GET (and any method of) /api/v1/tokens/authorize: the same allow / block answers', async () => {
    const authorize = (headers: Record<string, string>, method = 'GET') => both('/api/v1/tokens/authorize', { method, headers });
    expect(expectSame(await authorize({ 'x-leakwatch-key': admin, authorization: `Bearer ${blocked}` }))).toMatchObject({ status: 403, verdict: 'blocked', leakid: blockedLeakid });
    expect(expectSame(await authorize({ 'x-leakwatch-key': admin, authorization: `Bearer ${blocked}` }, 'DELETE'))).toMatchObject({ status: 403 });
    expect(expectSame(await authorize({ 'x-leakwatch-key': admin, 'x-api-key': leaked }))).toMatchObject({ status: 204, verdict: 'leaked' });
    expect(expectSame(await authorize({ 'x-leakwatch-key': admin, 'x-leakwatch-token-header': 'X-Shop-Token', 'x-shop-token': blocked }))).toMatchObject({ status: 403 });
    expect(expectSame(await authorize({ 'x-leakwatch-key': admin }))).toMatchObject({ status: 204, verdict: 'allow' });
    expect(expectSame(await authorize({ authorization: `Bearer ${blocked}` }))).toMatchObject({ status: 401 });
    expect(expectSame(await authorize({ 'x-leakwatch-key': 'lw_not-a-key', authorization: `Bearer ${blocked}` }))).toMatchObject({ status: 401 });
  });

  it('records the blocked attempts of both paths in the leak history', async () => {
    const before = (await e2e.call('GET', `/api/v1/leaks/${blockedLeakid}`, admin)).body.attempts as number;
    const init = { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': admin }, body: JSON.stringify({ token: blocked }) };
    await both('/api/v1/tokens/check', init);
    await eventually('two more attempts', () => e2e.call('GET', `/api/v1/leaks/${blockedLeakid}`, admin), (r) => r.body.attempts >= before + 2);
  });
});
