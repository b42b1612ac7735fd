/**
 * Stats and limits as users meet them, over real HTTP against `npm start`'s process:
 * - a Leak-Lookup client gets byte-identical answers from `POST /api/stats` (form and JSON, all four errors);
 * - every authenticated request counts against the key's daily limit, then 429 with Retry-After; stats calls don't count;
 * - leak statistics follow added and fixed leaks, and each organisation sees only its own.
 */
import { randomBytes } from 'node:crypto';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

const fakeToken = () => `ghp_${randomBytes(18).toString('hex')}`;
const today = () => new Date().toISOString().slice(0, 10);

describe('stats and limits (e2e)', () => {
  let e2e: E2e;
  let orgA: string, orgB: string, adminA: string, adminB: string;

  const call: E2e['call'] = (...args) => e2e.call(...args);
  /** POST /api/stats exactly as a Leak-Lookup client would: raw body, raw answer. */
  const leakLookup = async (body?: string, contentType = 'application/x-www-form-urlencoded') => {
    const response = await fetch(`${e2e.app.url}/api/stats`, { method: 'POST', headers: body === undefined ? {} : { 'content-type': contentType }, body });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const issue = async (body: Record<string, unknown>) => {
    const response = await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, body);
    expect(response.status).toBe(201);
    return response.body as { id: string; key: string };
  };

  beforeAll(async () => {
    e2e = await startE2e();
    orgA = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' })).body.org_id;
    orgB = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    adminA = (await issue({ name: 'a', role: 'admin', org_id: orgA, user_email: 'sec@acme.example' })).key;
    adminB = (await issue({ name: 'b', role: 'admin', org_id: orgB, user_email: 'sec@bravo.example' })).key;
  }, 90_000);

  afterAll(async () => e2e?.stop());

  describe('POST /api/stats (Leak-Lookup compatible)', () => {
    const error = (message: string) => `{"error":"true","message":"${message}"}`;

    it('answers each error exactly like Leak-Lookup, form-encoded and JSON, with HTTP 200 and JSON', async () => {
      const cases: Array<[string | undefined, string, string]> = [
        [undefined, 'application/x-www-form-urlencoded', 'MISSING REQUIRED PARAMETERS'],
        ['', 'application/x-www-form-urlencoded', 'MISSING REQUIRED PARAMETERS'],
        [form({ apikey: 'x' }), 'application/x-www-form-urlencoded', 'MISSING API KEY'],
        [form({ key: '' }), 'application/x-www-form-urlencoded', 'EMPTY VALUE DETECTED'],
        [form({ key: 'lw_not_a_key_anyone_was_given_0000000000' }), 'application/x-www-form-urlencoded', 'INVALID API KEY'],
        ['{}', 'application/json', 'MISSING REQUIRED PARAMETERS'],
        ['{"key":', 'application/json', 'MISSING REQUIRED PARAMETERS'],
        ['{"apikey":"x"}', 'application/json', 'MISSING API KEY'],
        ['{"key":""}', 'application/json', 'EMPTY VALUE DETECTED'],
        ['{"key":"lw_not_a_key_anyone_was_given_0000000000"}', 'application/json', 'INVALID API KEY'],
      ];
      for (const [body, type, message] of cases) {
        const answer = await leakLookup(body, type);
        expect({ body, ...answer }).toEqual({ body, status: 200, type: expect.stringMatching(/^application\/json/), text: error(message) });
      }
    });

    it('reports a key\'s status, type, dates, today\'s requests and limit in the documented order; then 429 after `limit` requests', async () => {
      const expires = new Date(Date.now() + 30 * 86_400_000);
      const { key } = await issue({ name: 'limited', role: 'analyst', org_id: orgA, type: 'public', limit: 5, expires_at: expires.toISOString() });
      const expected = (requests: number) =>
        `{"error":"false","message":{"status":"active","type":"public","added":"${today()}","updated":"${today()} 00:00:00",` +
        `"expiry":"${expires.toISOString().slice(0, 19).replace('T', ' ')}","requests":${requests},"limit":5}}`;
      expect(await eventually('key known', () => leakLookup(form({ key })), (a) => a.text.startsWith('{"error":"false"'))).toMatchObject({ status: 200, text: expected(0) });

      for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/stats/leaks', key)).status).toBe(200);
      // Counts are flushed in batches (every second) and travel as events: wait for them.
      expect((await eventually('three requests counted', () => leakLookup(form({ key })), (a) => a.text === expected(3))).text).toBe(expected(3));
      // Stats calls themselves do not count — and JSON works like the form.
      expect((await leakLookup(JSON.stringify({ key }), 'application/json')).text).toBe(expected(3));

      for (let i = 0; i < 2; i++) expect((await call('GET', '/api/v1/stats/leaks', key)).status).toBe(200);
      const refused = await call('GET', '/api/v1/stats/leaks', key);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, title: 'Too many requests' });
      const retryAfter = Number(refused.headers.get('retry-after'));
      const untilMidnight = (Date.parse(`${today()}T00:00:00Z`) + 86_400_000 - Date.now()) / 1000;
      expect(retryAfter).toBeGreaterThan(0);
      expect(Math.abs(retryAfter - untilMidnight)).toBeLessThan(5);
      // Any route, same key: refused; refused requests are not counted.
      expect((await call('GET', '/api/v1/leaks', key)).status).toBe(429);
      expect((await eventually('five requests counted', () => leakLookup(form({ key })), (a) => a.text === expected(5))).text).toBe(expected(5));
      // Usage is written in batches: once a later counted request of another key shows, any count of the
      // refused ones would have been written too.
      const requestsOf = async (k: string) => JSON.parse((await leakLookup(form({ key: k }))).text).message.requests as number;
      const seen = await requestsOf(adminA);
      await call('GET', '/api/v1/leaks?limit=1', adminA);
      await eventually('a later request of another key is counted', () => requestsOf(adminA), (n) => n > seen);
      expect((await leakLookup(form({ key }))).text).toBe(expected(5));
      // Other keys are not affected.
      expect((await call('GET', '/api/v1/stats/leaks', adminA)).status).toBe(200);
    });

    it('reports revoked keys as inactive, and keys without expiry with a far-future expiry', async () => {
      const { id, key } = await issue({ name: 'to revoke', role: 'analyst', org_id: orgA, type: 'private', limit: 100 });
      const active = await eventually('key known', () => leakLookup(form({ key })), (a) => a.text.startsWith('{"error":"false"'));
      expect(JSON.parse(active.text).message).toMatchObject({ status: 'active', type: 'private', expiry: '9999-12-31 23:59:59', limit: 100 });
      expect((await call('DELETE', `/api/v1/api-keys/${id}`, E2E_ADMIN_KEY)).status).toBeLessThan(300);
      const inactive = await eventually('key revoked', () => leakLookup(form({ key })), (a) => a.text.includes('"inactive"'));
      expect(JSON.parse(inactive.text).message).toMatchObject({ status: 'inactive', type: 'inactive' });
    });

    it('never prints a key it was given', async () => {
      const secret = `lw_${randomBytes(24).toString('hex')}`;
      await leakLookup(form({ key: secret }));
      expect(e2e.app.output()).not.toContain(secret);
    });

    it('reads the key as Leak-Lookup clients send it: no content type, multipart fields and file parts, and GET ?key= (issue 10.4, 10.7)', async () => {
      const { key } = await issue({ name: 'python client', role: 'analyst', org_id: orgA, limit: 77 });
      const ok = (text: string) => expect({ text, parsed: JSON.parse(text) }).toMatchObject({ parsed: { error: 'false', message: { status: 'active', limit: 77 } } });
      await eventually('key known', () => leakLookup(form({ key })), (a) => a.text.startsWith('{"error":"false"'));
      const raw = async (init: RequestInit, path = '/api/stats') => {
        const response = await fetch(`${e2e.app.url}${path}`, init);
        return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
      };
      // Python `requests.post(url, 'key=…')` sends the form without a content type; some send JSON so too.
      const noType = [Buffer.from(`key=${key}`), Buffer.from(JSON.stringify({ key }))];
      for (const body of noType) {
        const answer = await raw({ method: 'POST', body });
        expect(answer).toMatchObject({ status: 200, type: expect.stringMatching(/^application\/json/) });
        ok(answer.text);
      }
      // `requests.post(url, data=…, files=…)`: multipart/form-data, the key as a field or as a (file) part.
      const asField = new FormData();
      asField.append('key', key);
      ok((await raw({ method: 'POST', body: asField })).text);
      const asFile = new FormData();
      asFile.append('key', new Blob([key]), 'key');
      ok((await raw({ method: 'POST', body: asFile })).text);
      const missing = new FormData();
      missing.append('apikey', key);
      expect((await raw({ method: 'POST', body: missing })).text).toBe(error('MISSING API KEY'));
      const broken = await raw({ method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nabc' });
      expect(broken).toMatchObject({ status: 200, text: error('MISSING REQUIRED PARAMETERS') });
      const tooBig = new FormData();
      tooBig.append('key', new Blob(['x'.repeat(10_000)]), 'key');
      expect((await raw({ method: 'POST', body: tooBig })).text).toBe(error('MISSING REQUIRED PARAMETERS'));
      // GET with the key in the URL answers in the same format (it was a 404 echoing the key).
      ok((await raw({ method: 'GET' }, `/api/stats?key=${encodeURIComponent(key)}`)).text);
      expect((await raw({ method: 'GET' }, '/api/stats')).text).toBe(error('MISSING REQUIRED PARAMETERS'));
      const unknown = `lw_${randomBytes(24).toString('hex')}`;
      const answer = await raw({ method: 'GET' }, `/api/stats?key=${unknown}`);
      expect(answer).toMatchObject({ status: 200, text: error('INVALID API KEY') });
      // No error anywhere echoes a query string or the key, and no log line holds it.
      const elsewhere = await raw({ method: 'GET' }, `/api/statz?key=${unknown}`);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.text).not.toContain(unknown);
      expect(e2e.app.output()).not.toContain(unknown);
      expect(e2e.app.output()).not.toContain(key);
    });
  });

  describe('GET /api/v1/stats/leaks', () => {
    const addTokens = async (key: string, count: number, source: string) => {
      const response = await call('POST', '/api/v1/leaks', key, { source: { name: source }, tokens: Array.from({ length: count }, () => ({ value: fakeToken() })) });
      expect(response.status).toBe(201);
      return response.body.leakids as string[];
    };

    it('follows added and fixed leaks, per day and by status/risk/source/type, scoped to the caller\'s organisation', async () => {
      const mine = await addTokens(adminA, 3, 'pastebin');
      await addTokens(adminB, 1, 'gist');
      await eventually('leak visible', () => call('GET', `/api/v1/leaks/${mine[0]}`, adminA), (r) => r.status === 200);
      const fixed = await call('POST', '/api/v1/leaks/status', adminA, { leakid: mine[0], status: 'fixed' });
      expect(fixed.status).toBe(200);

      const a = (await eventually('A stats', () => call('GET', '/api/v1/stats/leaks?days=7', adminA), (r) => r.body?.by_status?.fixed === 1 && r.body.total === 3)).body;
      expect(a).toMatchObject({
        window: { days: 7, to: today() },
        total: 3,
        by_status: { open: 2, fixed: 1, false_positive: 0 },
        by_type: { organization: 3, personal: 0, employee: 0, customer: 0 },
        by_source: { pastebin: 3 },
        mean_time_to_fix: { fixes: 1, seconds: expect.any(Number), hours: expect.any(Number) },
      });
      expect(a.per_day).toHaveLength(7);
      expect(a.per_day[6]).toEqual({ day: today(), opened: 3, fixed: 1, token_use_attempts: 0 });
      expect(a.by_risk.critical + a.by_risk.high + a.by_risk.medium + a.by_risk.low).toBe(3);

      const b = (await eventually('B stats', () => call('GET', '/api/v1/stats/leaks', adminB), (r) => r.body?.total === 1)).body;
      expect(b).toMatchObject({ total: 1, by_status: { open: 1, fixed: 0 }, by_source: { gist: 1 }, mean_time_to_fix: { fixes: 0, seconds: null } });
      expect(b.per_day).toHaveLength(30);

      const all = (await eventually('global stats', () => call('GET', '/api/v1/stats/leaks', E2E_ADMIN_KEY), (r) => r.body?.total >= 4)).body;
      expect(all.by_source).toMatchObject({ pastebin: 3, gist: 1 });
    });

    it('refuses a bad window and an anonymous caller as problem+json', async () => {
      expect(await call('GET', '/api/v1/stats/leaks?days=0', adminA)).toMatchObject({ status: 400 });
      expect(await call('GET', '/api/v1/stats/leaks?days=366', adminA)).toMatchObject({ status: 400 });
      expect(await call('GET', '/api/v1/stats/leaks?days=abc', adminA)).toMatchObject({ status: 400 });
      expect(await call('GET', '/api/v1/stats/leaks?color=red', adminA)).toMatchObject({ status: 400 });
      expect(await call('GET', '/api/v1/stats/leaks', undefined)).toMatchObject({ status: 401 });
    });
  });
});
