/**
 * Access control as a new user meets it, over real HTTP against `npm start`'s process (real PostgreSQL),
 * with a real DNS server and a real web server on loopback for domain verification.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startTestDnsServer, TestDnsServer } from '@leakwatch/testing';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';


describe('access control (e2e)', () => {
  let e2e: E2e;
  let dns: TestDnsServer;
  let web: http.Server;
  const wellKnown = new Map<string, string>(); // host → file content
  const secrets: string[] = [E2E_ADMIN_KEY];

  const call: E2e['call'] = (...args) => e2e.call(...args);

  let orgA: string, orgB: string;
  let adminA: string, analystA: string, adminB: string, analystB: string;
  let adminAId: string, analystAId: string, adminBId: string;

  beforeAll(async () => {
    dns = await startTestDnsServer();
    web = http.createServer((req, res) => {
      const host = (req.headers.host ?? '').split(':')[0];
      const content = wellKnown.get(host);
      if (req.url === '/.well-known/leakwatch-verification.txt' && content) res.end(content);
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    e2e = await startE2e({ LEAKWATCH_DNS_SERVERS: dns.address,
      LEAKWATCH_VERIFICATION_ALLOW_PRIVATE: 'true',
      LEAKWATCH_VERIFICATION_HTTP_PORT: String((web.address() as AddressInfo).port),
      LOG_LEVEL: 'debug' });
  }, 90_000);

  afterAll(async () => {
    if (e2e) expect(await e2e.stop()).toBe(0);
    await dns?.close();
    await new Promise((r) => web?.close(r));
  });

  it('refuses requests without a valid key (401, problem+json)', async () => {
    const missing = await call('GET', '/api/v1/orgs');
    expect(missing).toMatchObject({ status: 401, body: { type: expect.stringContaining('missing-api-key') } });
    expect(missing.type).toMatch(/application\/problem\+json/);
    expect(await call('GET', '/api/v1/orgs', 'lw_not_a_real_key')).toMatchObject({ status: 401, body: { type: expect.stringContaining('invalid-api-key') } });
    const bearer = await fetch(`${e2e.app.url}/api/v1/orgs`, { headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` } });
    expect(bearer.status).toBe(200);
  });

  it('the bootstrap global admin creates two organisations; bad input is a named 400', async () => {
    const a = await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' });
    const b = await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' });
    expect(a).toMatchObject({ status: 201, body: { org_id: expect.any(String), name: 'Acme' } });
    expect(b.status).toBe(201);
    orgA = a.body.org_id;
    orgB = b.body.org_id;
    const empty = await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: '' });
    expect(empty).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'name' })] } });
    const unknown = await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'X', plan: 'gold' });
    expect(unknown).toMatchObject({ status: 400, body: { errors: [{ field: 'plan', message: 'property plan should not exist' }] } });
  });

  it('issues admin and analyst keys per organisation; keys are shown once', async () => {
    const issue = async (org: string, role: string, email: string) => {
      const response = await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: `${role} of ${email}`, role, org_id: org, user_email: email });
      expect(response).toMatchObject({ status: 201, body: { id: expect.any(String), key: expect.stringMatching(/^lw_/), role, org_id: org } });
      expect(response.body.key.startsWith(response.body.prefix)).toBe(true);
      secrets.push(response.body.key);
      return response.body as { id: string; key: string };
    };
    ({ key: adminA, id: adminAId } = await issue(orgA, 'admin', 'sec@acme.example'));
    ({ key: analystA, id: analystAId } = await issue(orgA, 'analyst', 'ana@acme.example'));
    ({ key: adminB, id: adminBId } = await issue(orgB, 'admin', 'sec@bravo.example'));
    ({ key: analystB } = await issue(orgB, 'analyst', 'ana@bravo.example'));

    const listed = await call('GET', '/api/v1/api-keys', E2E_ADMIN_KEY);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/"key"|key_hash/);
    for (const key of [adminA, analystA, adminB, analystB]) expect(JSON.stringify(listed.body)).not.toContain(key);
  });

  it('each organisation key works at once and sees only its own organisation', async () => {
    const keysA = await call('GET', '/api/v1/api-keys', adminA);
    expect(keysA.status).toBe(200);
    expect(keysA.body.items.map((k: { org_id: string }) => k.org_id)).toEqual([orgA, orgA]);
    expect((await call('GET', '/api/v1/api-keys', analystA)).body.items).toHaveLength(2);
    expect((await call('GET', '/api/v1/orgs', adminB)).body.items).toEqual([expect.objectContaining({ org_id: orgB, name: 'Bravo' })]);
    expect(await call('GET', `/api/v1/api-keys?org_id=${orgB}`, adminA)).toMatchObject({ status: 403 });
  });

  it('refuses what a role may not do', async () => {
    expect(await call('POST', '/api/v1/orgs', adminA, { name: 'Mine' })).toMatchObject({ status: 403, body: { type: expect.stringContaining('forbidden-role') } });
    expect(await call('POST', '/api/v1/api-keys', analystA, { name: 'x', role: 'analyst' })).toMatchObject({ status: 403 });
    expect(await call('POST', '/api/v1/api-keys', adminA, { name: 'x', role: 'global_admin' })).toMatchObject({ status: 403 });
    expect(await call('POST', '/api/v1/api-keys', adminA, { name: 'x', role: 'analyst', org_id: orgB })).toMatchObject({ status: 403 });
    expect(await call('DELETE', `/api/v1/api-keys/${adminBId}`, adminA)).toMatchObject({ status: 404 });
    expect(await call('POST', `/api/v1/api-keys/${adminBId}/rotate`, adminA)).toMatchObject({ status: 404 });
    expect(await call('DELETE', `/api/v1/api-keys/${analystAId}`, analystA)).toMatchObject({ status: 403 });
    expect(await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'x', role: 'admin' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'x', role: 'admin', org_id: '2b0f7a52-9a0c-4d43-a7a0-5d4ef43e8d10' })).toMatchObject({ status: 404 });
    expect(await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'x', role: 'owner', org_id: orgA, limit: 0 })).toMatchObject({
      status: 400,
      body: { errors: expect.arrayContaining([expect.objectContaining({ field: 'role' }), expect.objectContaining({ field: 'limit' })]) },
    });
    expect(await call('DELETE', '/api/v1/api-keys/not-a-uuid', E2E_ADMIN_KEY)).toMatchObject({ status: 400 });
  });

  it('an org admin issues, rotates and revokes keys of its own organisation', async () => {
    const issued = await call('POST', '/api/v1/api-keys', adminA, { name: 'bot', role: 'analyst' });
    expect(issued).toMatchObject({ status: 201, body: { org_id: orgA, role: 'analyst' } });
    secrets.push(issued.body.key);
    expect((await call('GET', '/api/v1/api-keys', issued.body.key)).status).toBe(200);

    const rotated = await call('POST', `/api/v1/api-keys/${issued.body.id}/rotate`, adminA);
    expect(rotated).toMatchObject({ status: 200, body: { id: issued.body.id, key: expect.stringMatching(/^lw_/) } });
    secrets.push(rotated.body.key);
    expect(rotated.body.key).not.toBe(issued.body.key);
    expect((await call('GET', '/api/v1/api-keys', rotated.body.key)).status).toBe(200);
    expect(await call('GET', '/api/v1/api-keys', issued.body.key)).toMatchObject({ status: 401 });

    const revoked = await call('DELETE', `/api/v1/api-keys/${issued.body.id}`, adminA);
    expect(revoked).toMatchObject({ status: 200, body: { status: 'revoked' } });
    await eventually('GET /api/v1/api-keys', async () => (await call('GET', '/api/v1/api-keys', rotated.body.key)).status === 401, (ok) => ok);
    expect(await call('GET', '/api/v1/api-keys', rotated.body.key)).toMatchObject({ status: 401, body: { type: expect.stringContaining('revoked-api-key') } });
  });

  it('an expired key is refused', async () => {
    const expiresAt = new Date(Date.now() + 2500).toISOString();
    const issued = await call('POST', '/api/v1/api-keys', adminA, { name: 'short-lived', role: 'analyst', expires_at: expiresAt });
    expect(issued.status).toBe(201);
    secrets.push(issued.body.key);
    expect((await call('GET', '/api/v1/api-keys', issued.body.key)).status).toBe(200);
    // Expiry is judged against the clock on every request: the key stops working once its time has passed.
    const refused = await eventually('the key is refused once expired', () => call('GET', '/api/v1/api-keys', issued.body.key), (r) => r.status !== 200, { timeoutMs: 15_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect(refused).toMatchObject({ status: 401, body: { type: expect.stringContaining('expired-api-key') } });
    expect(await call('POST', '/api/v1/api-keys', adminA, { name: 'old', role: 'analyst', expires_at: '2001-01-01T00:00:00Z' })).toMatchObject({ status: 400 });
  });

  it('claims and verifies a domain by DNS TXT (one of several records)', async () => {
    const claim = await call('POST', '/api/v1/domains', adminA, { domain: 'Acme.Example' });
    expect(claim).toMatchObject({
      status: 201,
      body: { domain: 'acme.example', status: 'pending', token: expect.any(String), dns: { name: '_leakwatch-challenge.acme.example' } },
    });
    secrets.push(claim.body.token);
    expect(await call('POST', '/api/v1/domains', adminA, { domain: 'acme.example' })).toMatchObject({ status: 200, body: { token: claim.body.token } });

    const early = await call('POST', '/api/v1/domains/acme.example/verify', adminA);
    expect(early).toMatchObject({ status: 200, body: { status: 'pending', reason: expect.stringContaining('no TXT record') } });

    dns.setTxt('_leakwatch-challenge.acme.example', ['v=spf1 -all', 'leakwatch-verification=wrong', claim.body.dns.value]);
    const verified = await call('POST', '/api/v1/domains/acme.example/verify', adminA);
    expect(verified).toMatchObject({ status: 200, body: { domain: 'acme.example', status: 'verified', method: 'dns', expires_at: expect.any(String) } });
    expect(Date.parse(verified.body.expires_at)).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const listed = await call('GET', '/api/v1/domains', analystA);
    expect(listed.body.items).toEqual([expect.objectContaining({ domain: 'acme.example', status: 'verified', method: 'dns' })]);
    expect(JSON.stringify(listed.body)).not.toContain(claim.body.token);
  });

  it('verifies a domain by the HTTPS well-known file, then revokes it', async () => {
    const claim = await call('POST', '/api/v1/domains', adminB, { domain: 'bravo.example' });
    expect(claim.status).toBe(201);
    secrets.push(claim.body.token);
    dns.setA('bravo.example', ['127.0.0.1']);
    wellKnown.set('bravo.example', 'leakwatch-verification=not-it\n');
    expect(await call('POST', '/api/v1/domains/bravo.example/verify', adminB)).toMatchObject({ status: 200, body: { status: 'pending' } });
    wellKnown.set('bravo.example', `${claim.body.http.content}\n`);
    expect(await call('POST', '/api/v1/domains/bravo.example/verify', adminB)).toMatchObject({ status: 200, body: { status: 'verified', method: 'http' } });

    expect(await call('DELETE', '/api/v1/domains/bravo.example', adminB)).toMatchObject({ status: 200, body: { status: 'revoked' } });
    expect((await call('GET', '/api/v1/domains', adminB)).body.items).toEqual([expect.objectContaining({ domain: 'bravo.example', status: 'revoked' })]);
  });

  it('domain refusals: foreign organisation, analyst, bad names, unknown claims', async () => {
    expect(await call('POST', '/api/v1/domains/acme.example/verify', adminB)).toMatchObject({ status: 404 });
    expect(await call('DELETE', '/api/v1/domains/acme.example', adminB)).toMatchObject({ status: 404 });
    expect(await call('POST', '/api/v1/domains/acme.example/verify', analystA)).toMatchObject({ status: 403 });
    expect(await call('POST', '/api/v1/domains', analystA, { domain: 'x.example' })).toMatchObject({ status: 403 });
    expect(await call('POST', '/api/v1/domains', adminA, { domain: 'not a domain' })).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'domain' })] } });
    expect(await call('POST', '/api/v1/domains', adminA, { domain: 'acme.example' })).toMatchObject({ status: 409 });
    expect(await call('POST', '/api/v1/domains', E2E_ADMIN_KEY, { domain: 'z.example' })).toMatchObject({ status: 400, body: { type: expect.stringContaining('org-id-required') } });
    expect(await call('GET', `/api/v1/domains?org_id=${orgA}`, adminB)).toMatchObject({ status: 403 });
    expect((await call('GET', '/api/v1/domains', adminB)).body.items.map((d: { org_id: string }) => d.org_id)).toEqual([orgB]);
    expect((await call('GET', `/api/v1/domains?org_id=${orgA}`, E2E_ADMIN_KEY)).body.items).toHaveLength(1);
  });

  it('every documented endpoint: a foreign organisation never sees or changes org A, an analyst never mutates', async () => {
    const spec = (await call('GET', '/docs/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(spec.paths).flatMap(([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })));
    // Public: no API key (the stats call takes its key in the body; GitHub signs its webhook).
    const publicPaths = new Set(['/', '/health', '/metrics', '/api/stats', '/api/v1/ingest/github']);
    // Org A's identifiers: none may appear in an answer to org B.
    const orgAMarkers = [orgA, adminAId, analystAId, 'acme.example', 'sec@acme.example', 'ana@acme.example'];
    const bodies: Record<string, unknown> = {
      'POST /api/v1/orgs': { name: 'Intruder' },
      'POST /api/v1/api-keys': { name: 'intruder', role: 'admin', org_id: orgA },
      'POST /api/v1/domains': { domain: 'acme.example', org_id: orgA },
      // Well-formed bodies, so refusals are about who asks, not about what was sent.
      'POST /api/v1/leaks': { source: { name: 'intruder' }, tokens: [{ value: 'ghp_0123456789abcdef0123456789abcdef0123' }] },
      'POST /api/v1/leaks/status': { leakid: '0123456789abcdef0123456789abcdef', status: 'fixed' },
      'POST /api/v1/leaks/virtual-patch': { leakid: '0123456789abcdef0123456789abcdef', enabled: true },
      'POST /api/v1/tokens/check': { token: 'ghp_0123456789abcdef0123456789abcdef0123' },
      'POST /api/v1/tokens/attempts': { attempts: [{ sha256: '0'.repeat(64) }] },
    };
    const concrete = (path: string) => path.replace('{id}', analystAId).replace('{domain}', 'acme.example').replace('{leakid}', '0123456789abcdef0123456789abcdef');
    let tried = 0;
    for (const { method, path } of operations) {
      if (publicPaths.has(path)) continue;
      const url = concrete(path);
      const foreignUrl = method === 'GET' ? `${url}${url.includes('?') ? '&' : '?'}org_id=${orgA}` : `${url}?org_id=${orgA}`;
      const foreign = await call(method, foreignUrl, adminB, bodies[`${method} ${path}`]);
      const foreignPlain = await call(method, url, adminB, bodies[`${method} ${path}`]);
      for (const answer of [foreign, foreignPlain]) {
        if (answer.status < 400) for (const marker of orgAMarkers) expect(`${method} ${path} → ${JSON.stringify(answer.body)}`).not.toContain(marker);
        expect(answer.status).not.toBeGreaterThanOrEqual(500);
      }
      if (method !== 'GET') {
        // Operations that only ever act on the caller's own organisation may succeed for org B; all others must refuse.
        const ownScoped = new Set([
          'POST /api/v1/leaks',
          'POST /api/v1/tokens/check',
          'POST /api/v1/tokens/attempts',
          'POST /api/v1/ingest/gitleaks',
          'POST /api/v1/ingest/trufflehog',
          'POST /api/v1/ingest/sarif',
          'POST /api/v1/ingest/github/secret',
        ]);
        if (!ownScoped.has(`${method} ${path}`)) expect(`${method} ${path} → ${foreign.status}`).toMatch(/ → (400|403|404)$/);
        // A token check is a read (POST only to keep the token out of URLs), and reporting the uses a gateway
        // saw is a check done locally: analysts (typical gateway keys) may do both, scoped to what they see.
        if (!['POST /api/v1/tokens/check', 'POST /api/v1/tokens/attempts'].includes(`${method} ${path}`)) {
          const analyst = await call(method, url, analystA, bodies[`${method} ${path}`]);
          expect(`${method} ${path} → ${analyst.status}`).toBe(`${method} ${path} → 403`);
        }
      }
      tried++;
    }
    expect(tried).toBeGreaterThanOrEqual(9);
    // Org A's data is untouched by all of the above.
    expect((await call('GET', '/api/v1/domains', adminA)).body.items).toEqual([expect.objectContaining({ domain: 'acme.example', status: 'verified' })]);
    expect((await call('GET', '/api/v1/api-keys', analystA)).status).toBe(200);
  });

  it('no key or verification token ever reaches the logs', async () => {
    const output = e2e.app.output();
    expect(output.length).toBeGreaterThan(1000); // debug logging was on: there was plenty to leak into
    for (const secret of secrets) expect(output).not.toContain(secret);
  });

  it('OpenAPI documents every access-control endpoint', async () => {
    const spec = (await call('GET', '/docs/openapi.json')).body;
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/orgs', '/api/v1/api-keys', '/api/v1/api-keys/{id}', '/api/v1/api-keys/{id}/rotate', '/api/v1/domains', '/api/v1/domains/{domain}/verify', '/api/v1/domains/{domain}']),
    );
  });
});

