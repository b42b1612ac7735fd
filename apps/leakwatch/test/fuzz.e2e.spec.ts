/**
 * Property-based fuzzing of the whole public API (issue 15) against `npm start`'s real process: requests
 * generated with fast-check from the OpenAPI document Leakwatch serves, over every operation, from a fixed
 * seed and from a random one (printed; replay with FUZZ_SEED=<seed>). Every answer must be:
 * - below 500, within the per-request timeout (no hang);
 * - for an error: RFC 9457 problem+json whose `status` is the HTTP status — except `/api/stats`, which always
 *   answers 200 in Leak-Lookup's format;
 * - free of the markers the fuzzer put into query strings (no error echoes a query string or a key);
 * and afterwards `/health` is 200 and no marker from a URL or a body appears in the process's logs.
 * The inputs that once gave 5xx run first, as explicit regression cases that must store nothing.
 *
 * Size and time: FUZZ_REQUESTS per seed (default 2,600, so ≥ 5,000 per run), FUZZ_CONCURRENCY (default 6).
 */
import fc from 'fast-check';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { FUZZ_MARKER, FuzzFixtures, FuzzRequest, QUERY_MARKER, requestsFor } from './support/openapi-fuzz';
import { storedEventCounts } from './support/stored-events';

const FIXED_SEED = 1507;
const RANDOM_SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REQUESTS_PER_SEED = Number(process.env.FUZZ_REQUESTS ?? 2600);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 6);
const REQUEST_TIMEOUT_MS = 15_000;

interface Answer {
  status: number;
  type: string;
  text: string;
  ms: number;
}

describe('fuzzing every operation of the OpenAPI document (e2e)', () => {
  let e2e: E2e;
  let fixtures: FuzzFixtures;
  let document: Record<string, unknown>;
  const call: E2e['call'] = (...args) => e2e.call(...args);

  const send = async (request: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>): Promise<Answer> => {
    const started = Date.now();
    try {
      const response = await fetch(`${e2e.app.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text(), ms: Date.now() - started };
    } catch (error) {
      // A timeout or a connection the server dropped: both count as failures of the server.
      return { status: 0, type: '', text: String((error as Error).name ?? error), ms: Date.now() - started };
    }
  };

  beforeAll(async () => {
    e2e = await startE2e({ // Domain verification must not wait on the internet: an unused local port refuses DNS at once.
      LEAKWATCH_DNS_SERVERS: '127.0.0.1:9',
      LEAKWATCH_DNS_TIMEOUT_MS: '300',
      LEAKWATCH_HTTP_TIMEOUT_MS: '300' });
    const org = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Fuzz Org' })).body.org_id as string;
    const other = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Other Org' })).body.org_id as string;
    const issue = async (role: string, orgId?: string) => {
      const answer = await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: `fuzz ${role}`, role, ...(orgId ? { org_id: orgId } : {}), limit: 100_000_000 });
      expect(answer.status).toBe(201);
      return answer.body as { id: string; key: string };
    };
    const globalAdmin = await issue('global_admin');
    const admin = await issue('admin', org);
    const analyst = await issue('analyst', org);
    const victims = await Promise.all([issue('analyst', org), issue('analyst', other), issue('admin', other)]);
    const added = await call('POST', '/api/v1/leaks', admin.key, {
      source: { name: 'fuzz seed', url: 'https://paste.example/abc' },
      tokens: [0, 1, 2].map(() => ({ value: `ghp_${randomBytes(18).toString('hex')}` })),
      credentials: [{ email: 'a@fuzz.example', password: randomBytes(8).toString('hex'), url: 'https://login.fuzz.example' }],
    });
    expect(added.status).toBe(201);
    expect((await call('POST', '/api/v1/domains', admin.key, { domain: 'fuzz.example' })).status).toBeLessThan(300);
    fixtures = {
      keys: { globalAdmin: globalAdmin.key, admin: admin.key, analyst: analyst.key },
      orgIds: [org, other],
      leakids: [...added.body.leakids, '0123456789abcdef0123456789abcdef'],
      victimKeyIds: [...victims.map((v) => v.id), randomUUID()],
      domains: ['fuzz.example', 'unclaimed.example'],
    };
    document = (await call('GET', '/docs/openapi.json')).body;
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  /** Why an answer breaks the contract, if it does. */
  const fault = (request: Pick<FuzzRequest, 'path'>, answer: Answer): string | undefined => {
    if (answer.status === 0) return `no answer within ${REQUEST_TIMEOUT_MS} ms or connection dropped (${answer.text})`;
    if (answer.status >= 500) return `${answer.status}: ${answer.text.slice(0, 300)}`;
    const bare = request.path.split('?')[0];
    if (bare === '/api/stats') {
      if (answer.status !== 200 || !/^application\/json/.test(answer.type)) return `/api/stats answered ${answer.status} ${answer.type}`;
      const error = (() => {
        try {
          return (JSON.parse(answer.text) as { error?: unknown }).error;
        } catch {
          return undefined;
        }
      })();
      return error === 'true' || error === 'false' ? undefined : `/api/stats answered without a Leak-Lookup error field: ${answer.text.slice(0, 200)}`;
    }
    if (answer.status < 400) return undefined;
    if (!/^application\/problem\+json/.test(answer.type)) return `error ${answer.status} is ${answer.type || 'untyped'}, not problem+json: ${answer.text.slice(0, 200)}`;
    let body: { status?: unknown; type?: unknown; title?: unknown };
    try {
      body = JSON.parse(answer.text);
    } catch {
      return `problem+json body does not parse: ${answer.text.slice(0, 200)}`;
    }
    if (body.status !== answer.status || typeof body.type !== 'string' || typeof body.title !== 'string') return `malformed problem: ${answer.text.slice(0, 200)}`;
    if (answer.text.includes(QUERY_MARKER)) return `the error echoes the query string: ${answer.text.slice(0, 200)}`;
    return undefined;
  };

  describe('regression cases: inputs that once answered 5xx are 4xx problems that name the field and store nothing', () => {
    const token = () => `ghp_${FUZZ_MARKER}${randomBytes(12).toString('hex')}`;
    const json = (method: string, path: string, body: unknown, key = E2E_ADMIN_KEY): Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'> => ({
      method,
      path,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const get = (path: string, key = E2E_ADMIN_KEY): Pick<FuzzRequest, 'method' | 'path' | 'headers'> => ({ method: 'GET', path, headers: { 'x-api-key': key } });
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    it('answers each with a 4xx problem naming the field, and nothing reaches the event store', async () => {
      const orgId = fixtures.orgIds[0];
      const leakid = fixtures.leakids[0];
      const cases: Array<[string, Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>, RegExp]> = [
        ['source as an array (poisoned the leak projection)', json('POST', '/api/v1/leaks', { source: [], tokens: [{ value: token() }] }), /^source$/],
        ['source as a string', json('POST', '/api/v1/leaks', { source: 'pastebin', tokens: [{ value: token() }] }), /^source$/],
        ['no source', json('POST', '/api/v1/leaks', { tokens: [{ value: token() }] }), /^source$/],
        ['tokens: [[]]', json('POST', '/api/v1/leaks', { source: { name: 'x' }, tokens: [[]] }), /^tokens$/],
        ['tokens: [null]', json('POST', '/api/v1/leaks', { source: { name: 'x' }, tokens: [null] }), /^tokens/],
        ['NUL in a stored string', json('POST', '/api/v1/leaks', { source: { name: 'a\u0000b' }, tokens: [{ value: token() }] }), /^source\.name$/],
        ['NUL in a secret', json('POST', '/api/v1/leaks', { source: { name: 'x' }, credentials: [{ email: 'a@b.example', password: 'p\u0000w' }] }), /^credentials\[0\]\.password$/],
        ['lone surrogate', json('POST', '/api/v1/leaks', { source: { name: 'x' }, tokens: [{ value: token(), type: 'gh\ud800' }] }), /^tokens\[0\]\.type$/],
        ['1,900-deep nested arrays', json('POST', '/api/v1/leaks', `{"source":{"name":"x"},"tokens":${'['.repeat(1900)}${']'.repeat(1900)}}`), /^tokens(\[0\])+$/],
        ['null comment', json('POST', '/api/v1/leaks/status', { leakid, status: 'fixed', comment: null }), /^comment$/],
        ['{"token":null}', json('POST', '/api/v1/tokens/check', { token: null }), /^token$/],
        ['ISO week date in expires_at', json('POST', '/api/v1/api-keys', { name: 'w', role: 'analyst', org_id: orgId, expires_at: '2026-W01-1' }), /^expires_at$/],
        ['impossible date in expires_at', json('POST', '/api/v1/api-keys', { name: 'w', role: 'analyst', org_id: orgId, expires_at: '2026-02-30T00:00:00Z' }), /^expires_at$/],
        ['q=a%00b', get('/api/v1/leaks?q=a%00b'), /^q$/],
        ['cursor with 30 February', get(`/api/v1/leaks?cursor=${cursor(['2026-02-30T00:00:00.000Z', leakid])}`), /^cursor$/],
        ['cursor with year 275760', get(`/api/v1/leaks?cursor=${cursor(['+275760-09-13T00:00:00.000Z', leakid])}`), /^cursor$/],
        ['cursor with year 99999', get(`/api/v1/leaks?cursor=${cursor(['99999-01-01', leakid])}`), /^cursor$/],
        ['ISO week date in as_of', get(`/api/v1/leaks/${leakid}?as_of=2026-W01-1`), /^as_of$/],
        ['blocklist?cursor=1e20', get('/api/v1/tokens/blocklist?cursor=1e20'), /^cursor$/],
        // The admin lists cast their cursor's time member to timestamptz: anything else reached PostgreSQL (500).
        ...['/api/v1/orgs', '/api/v1/api-keys'].flatMap((list): Array<[string, Pick<FuzzRequest, 'method' | 'path' | 'headers'>, RegExp]> => [
          [`${list} cursor ["abc","x"]`, get(`${list}?cursor=${cursor(['abc', 'x'])}`), /^cursor$/],
          [`${list} cursor with 30 February`, get(`${list}?cursor=${cursor(['2026-02-30T00:00:00Z', 'x'])}`), /^cursor$/],
          [`${list} cursor with 30 February, as the list writes times`, get(`${list}?cursor=${cursor(['2026-02-30T00:00:00.000000Z', 'x'])}`), /^cursor$/],
          [`${list} cursor with year 275760`, get(`${list}?cursor=${cursor(['+275760-09-13T00:00:00.000Z', 'x'])}`), /^cursor$/],
          [`${list} cursor with an ISO week date`, get(`${list}?cursor=${cursor(['2026-W01-1', 'x'])}`), /^cursor$/],
          [`${list} cursor with 'infinity'`, get(`${list}?cursor=${cursor(['infinity', 'x'])}`), /^cursor$/],
          [`${list} cursor with a number`, get(`${list}?cursor=${cursor([1e20, 'x'])}`), /^cursor$/],
          [`${list} cursor of the leak list's shape`, get(`${list}?cursor=${cursor({ s: 'first_seen', d: 'desc', v: '2026-11-25T10:00:00.000000Z', id: 'x' })}`), /^cursor$/],
        ]),
        ['NUL in a path parameter', { method: 'DELETE', path: '/api/v1/domains/a%00b', headers: { 'x-api-key': E2E_ADMIN_KEY } }, /^path\[4\]$/],
        ['undecodable path', { method: 'POST', path: '/api/v1/domains/a%E0%A4%A/verify', headers: { 'x-api-key': E2E_ADMIN_KEY } }, /^path\[4\]$/],
        ['URL over 8 KiB', get(`/api/v1/leaks?q=${'a'.repeat(9000)}`), /^url$/],
      ];
      const before = await storedEventCounts(e2e.app.dataDir);
      for (const [name, request, field] of cases) {
        const answer = await send(request);
        const problem = fault(request, answer);
        const fields = problem ? [] : ((JSON.parse(answer.text).errors ?? []) as Array<{ field: string }>).map((e) => e.field);
        expect({ name, client_error: answer.status >= 400 && answer.status < 500, problem: problem ?? null, fields }).toEqual({
          name,
          client_error: true,
          problem: null,
          fields: expect.arrayContaining([expect.stringMatching(field)]),
        });
      }
      const after = await storedEventCounts(e2e.app.dataDir);
      // Usage counters keep flowing (gateway events); nothing of the refused requests was stored.
      for (const category of ['leak', 'finding', 'apikey', 'org', 'domain']) expect({ category, events: after[category] ?? 0 }).toEqual({ category, events: before[category] ?? 0 });
    });

    it('rejects a GitHub alert number above 2^31 and a report record with NUL, storing nothing of either', async () => {
      const orgId = fixtures.orgIds[0];
      const secret = (await call('POST', `/api/v1/ingest/github/secret?org_id=${orgId}`, E2E_ADMIN_KEY)).body.secret as string;
      const before = await storedEventCounts(e2e.app.dataDir);
      const payload = JSON.stringify({
        action: 'created',
        alert: { number: 2 ** 31 + 7, secret_type: 'github_personal_access_token', secret: token(), html_url: 'https://github.com/acme/app/security/secret-scanning/1', created_at: '2026-11-25T10:00:00Z' },
        repository: { full_name: 'acme/app', html_url: 'https://github.com/acme/app', private: true },
      });
      const signature = `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
      const webhook = await send({
        method: 'POST',
        path: `/api/v1/ingest/github?org_id=${orgId}`,
        headers: { 'content-type': 'application/json', 'x-github-event': 'secret_scanning_alert', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature },
        body: payload,
      });
      expect({ status: webhook.status, type: webhook.type }).toEqual({ status: 400, type: expect.stringMatching(/problem\+json/) });
      expect(JSON.parse(webhook.text).detail).toContain('alert.number');

      const report = JSON.stringify([{ RuleID: 'github-pat', Secret: token(), Match: 'x', File: 'src/a\u0000b.ts', StartLine: 1, Commit: 'abc', Description: 'GitHub PAT' }]);
      const ingest = await send({ method: 'POST', path: '/api/v1/ingest/gitleaks', headers: { 'x-api-key': E2E_ADMIN_KEY, 'content-type': 'application/json' }, body: report });
      expect(ingest.status).toBe(202);
      expect(JSON.parse(ingest.text)).toMatchObject({ accepted: 0, rejected: [{ index: 0, error: expect.stringMatching(/NUL/) }] });
      const after = await storedEventCounts(e2e.app.dataDir);
      for (const category of ['leak', 'finding']) expect({ category, events: after[category] ?? 0 }).toEqual({ category, events: before[category] ?? 0 });
    });

    it('answers Node parser errors as problem+json, and keeps tokens pasted into URLs and keys in queries out of answers and logs', async () => {
      const raw = await new Promise<string>((resolve, reject) => {
        const url = new URL(e2e.app.url);
        const socket = connect(Number(url.port), url.hostname, () => socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`));
        let text = '';
        socket.on('data', (c) => (text += c));
        socket.on('end', () => resolve(text));
        socket.on('error', (e) => (text ? resolve(text) : reject(e)));
      });
      expect(raw).toMatch(/^HTTP\/1\.1 431 [\s\S]*application\/problem\+json[\s\S]*"status":431/);

      const pasted = token();
      const wrongPlace = await send(get(`/api/v1/leaks/${pasted}`));
      expect(wrongPlace.status).toBe(400);
      const key = `lw_${FUZZ_MARKER}${randomBytes(16).toString('hex')}`;
      const nowhere = await send(get(`/api/statz?key=${key}`));
      expect(nowhere.status).toBe(404);
      expect(nowhere.text).not.toContain(key);
      const stats = await send({ method: 'GET', path: `/api/stats?key=${key}`, headers: {} });
      expect(stats).toMatchObject({ status: 200, text: '{"error":"true","message":"INVALID API KEY"}' });
      await send({ method: 'GET', path: '/health', headers: {} }); // a later line in the log, so the earlier ones were flushed
      expect(e2e.app.output()).toContain('/api/v1/leaks/:leakid');
      expect(e2e.app.output()).not.toContain(pasted);
      expect(e2e.app.output()).not.toContain(key);
    });
  });

  it(`generated requests over every operation: ${REQUESTS_PER_SEED} from seed ${FIXED_SEED} and ${REQUESTS_PER_SEED} from seed ${RANDOM_SEED}: no 5xx, no hang, every error problem+json`, async () => {
    const { operations, arbitrary } = requestsFor(document, fixtures);
    expect(operations.length).toBeGreaterThanOrEqual(25);
    console.log(`fuzz: ${operations.length} operations; seeds ${FIXED_SEED} (fixed) and ${RANDOM_SEED} (random; replay with FUZZ_SEED=${RANDOM_SEED})`);
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const statuses = new Map<number, number>();
    let sent = 0;
    let slowest = 0;
    for (const seed of [FIXED_SEED, RANDOM_SEED]) {
      const requests = fc.sample(arbitrary, { seed, numRuns: REQUESTS_PER_SEED });
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const request = requests[i];
          const answer = await send(request);
          sent++;
          slowest = Math.max(slowest, answer.ms);
          seen.set(request.operation, (seen.get(request.operation) ?? 0) + 1);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const problem = fault(request, answer);
          if (problem && failures.length < 20) {
            failures.push(`seed ${seed} #${i}: ${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers)} body=${(request.body ?? '').slice(0, 300)} → ${problem}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    }
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(`fuzz: ${sent} requests, slowest ${slowest} ms; statuses ${byStatus}; per operation: ${[...seen].map(([op, n]) => `${op} ${n}`).join(', ')}`);
    expect(failures).toEqual([]);
    // The requests reach the handlers: a fair share is accepted, not only refused at the door.
    expect([...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0)).toBeGreaterThan(sent / 10);
    expect(sent).toBeGreaterThanOrEqual(2 * REQUESTS_PER_SEED);
    // Every operation of the document was exercised.
    expect(operations.filter((op) => !seen.has(op))).toEqual([]);

    const health = await send({ method: 'GET', path: '/health', headers: {} });
    expect({ status: health.status, text: health.status === 200 ? '' : health.text }).toEqual({ status: 200, text: '' });
    // Markers went into paths, queries and bodies (tokens, passwords, keys): none reached a log line.
    expect(e2e.app.output()).not.toContain(FUZZ_MARKER);
  }, 240_000);
});
