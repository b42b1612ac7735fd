/**
 * The leak lifecycle as a new user runs it, over real HTTP against `npm start`'s process: add leaks,
 * fix one, bulk-fix many, every refusal, history, as_of, concurrency, restart — and no planted secret
 * anywhere in the database or the logs.
 */
import { randomBytes } from 'node:crypto';
import { eventually, startTestDnsServer, TestDnsServer } from '@leakwatch/testing';
import { dumpEmbeddedDatabase } from './support/leakwatch-process';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';

const fakeToken = (prefix = 'ghp_') => `${prefix}${randomBytes(18).toString('hex')}`; // shaped like a GitHub PAT: 36 alphanumerics

describe('leak lifecycle (e2e)', () => {
  let e2e: E2e;
  const planted: string[] = [];
  let adminA: string, analystA: string, adminB: string, analystB: string;
  let dns: TestDnsServer;

  const call: E2e['call'] = (...args) => e2e.call(...args);
  const waitForLeaks = (key: string, ids: string[]) =>
    eventually(`leaks ${ids.join(', ')} readable`, () => Promise.all(ids.map(async (id) => (await call('GET', `/api/v1/leaks/${id}`, key)).status === 200)), (found) => found.every(Boolean));
  const addTokens = async (key: string, count: number, source = 'pastebin') => {
    const tokens = Array.from({ length: count }, () => fakeToken());
    planted.push(...tokens);
    const response = await call('POST', '/api/v1/leaks', key, { source: { name: source, url: 'https://paste.example/x' }, tokens: tokens.map((value) => ({ value })) });
    expect(response).toMatchObject({ status: 201, body: { created: count, duplicates: 0 } });
    await waitForLeaks(key, response.body.leakids);
    return { tokens, leakids: response.body.leakids as string[] };
  };

  beforeAll(async () => {
    dns = await startTestDnsServer();
    e2e = await startE2e({ LOG_LEVEL: 'debug', LEAKWATCH_DNS_SERVERS: dns.address });
    const orgA = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' })).body.org_id;
    const orgB = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    const issue = async (org: string, role: string, email: string) =>
      (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: email, role, org_id: org, user_email: email })).body.key as string;
    adminA = await issue(orgA, 'admin', 'sec@acme.example');
    analystA = await issue(orgA, 'analyst', 'ana@acme.example');
    adminB = await issue(orgB, 'admin', 'sec@bravo.example');
    analystB = await issue(orgB, 'analyst', 'ana@bravo.example');
  }, 90_000);

  afterAll(async () => {
    if (e2e) await e2e.stop();
    await dns?.close();
  });

  it('adds leaks by hand: one per secret, re-adding is a duplicate, the secret only as preview and fingerprint', async () => {
    const { tokens, leakids } = await addTokens(adminA, 2);
    const again = await call('POST', '/api/v1/leaks', adminA, { source: { name: 'github' }, tokens: [{ value: tokens[0] }] });
    expect(again).toMatchObject({ status: 201, body: { leakids: [leakids[0]], created: 0, duplicates: 1 } });
    const leak = await call('GET', `/api/v1/leaks/${leakids[0]}`, adminA);
    expect(leak.body).toMatchObject({ leakid: leakids[0], status: 'open', virtual_patch: false, type: 'organization', kind: 'token', secret_type: 'github-pat', risk: 'critical' });
    expect(leak.body.preview).toBe(`ghp_…(${tokens[0].length})`);
    expect(leak.body.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(leak.body.leakid).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(leak.body)).not.toContain(tokens[0]);
  });

  it('fixes one leak, then the same status again changes nothing and records no event', async () => {
    const { leakids: [id] } = await addTokens(adminA, 1);
    const fixed = await call('POST', '/api/v1/leaks/status', adminA, { leakid: id, status: 'fixed', comment: 'rotated' });
    expect(fixed).toMatchObject({ status: 200, body: { results: [{ leakid: id, status: 'fixed', previous_status: 'open', changed: true }], updated: 1, unchanged: 0 } });
    const again = await call('POST', '/api/v1/leaks/status', adminA, { leakid: id, status: 'fixed' });
    expect(again.body).toMatchObject({ results: [{ changed: false, previous_status: 'fixed' }], updated: 0, unchanged: 1 });
    const history = await call('GET', `/api/v1/leaks/${id}/history`, analystA);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['LeakDetected', 'LeakStatusChanged']);
    expect(history.body.events[1]).toMatchObject({ revision: 1, actor: { role: 'admin', user_email: 'sec@acme.example' }, data: { from: 'open', to: 'fixed', comment: 'rotated' } });
  });

  it('bulk-fixes many leaks at once', async () => {
    const { leakids } = await addTokens(adminA, 25);
    const response = await call('POST', '/api/v1/leaks/status', adminA, { leakids, status: 'fixed' });
    expect(response).toMatchObject({ status: 200, body: { updated: 25, unchanged: 0 } });
    const list = await call('GET', '/api/v1/leaks?status=fixed&limit=500', adminA);
    expect(list.body.items.map((l: { leakid: string }) => l.leakid)).toEqual(expect.arrayContaining(leakids));
  });

  it('answers every bad request with the right 4xx, naming the bad ids, changing nothing', async () => {
    const { leakids: [mine] } = await addTokens(adminA, 1);
    const { leakids: [theirs] } = await addTokens(adminB, 1);
    const missing = 'ffffffffffffffffffffffffffffffff';

    const badIds = await call('POST', '/api/v1/leaks/status', adminA, { leakids: [mine, 'NOT-AN-ID', '123'], status: 'fixed' });
    expect(badIds).toMatchObject({ status: 400, body: { errors: [{ field: 'leakids[1]' }, { field: 'leakids[2]' }] } });
    expect(await call('POST', '/api/v1/leaks/status', adminA, { leakid: mine, leakids: [mine], status: 'fixed' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/v1/leaks/status', adminA, { status: 'fixed' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/v1/leaks/status', adminA, { leakid: mine, status: 'closed' })).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'status' })] } });
    expect(await call('POST', '/api/v1/leaks/status', adminA, { leakid: mine, status: 'fixed', color: 'red' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/v1/leaks/status', adminA, { leakids: Array(1001).fill(mine), status: 'fixed' })).toMatchObject({ status: 400 });

    expect(await call('POST', '/api/v1/leaks/status', adminA, { leakids: [mine, missing], status: 'fixed' })).toMatchObject({ status: 404, body: { leakids: [missing] } });
    // Another organisation's leak answers like a missing one (issue 10.8): nothing confirms that it exists.
    expect(await call('POST', '/api/v1/leaks/status', adminA, { leakids: [mine, theirs], status: 'fixed' })).toMatchObject({ status: 404, body: { leakids: [theirs] } });
    expect(await call('POST', '/api/v1/leaks/status', adminA, { leakids: [theirs, missing], status: 'fixed' })).toMatchObject({ status: 404, body: { leakids: [theirs, missing] } });
    expect(await call('POST', '/api/v1/leaks/status', analystA, { leakid: mine, status: 'fixed' })).toMatchObject({ status: 403 });
    expect(await call('GET', `/api/v1/leaks/${theirs}`, adminA)).toMatchObject({ status: 404 });
    expect(await call('GET', `/api/v1/leaks/${theirs}/history`, adminA)).toMatchObject({ status: 404 });
    expect(await call('GET', '/api/v1/leaks?limit=0', adminA)).toMatchObject({ status: 400 });
    expect(await call('GET', '/api/v1/leaks?cursor=garbage', adminA)).toMatchObject({ status: 400 });
    expect(await call('GET', `/api/v1/leaks/${mine}?as_of=yesterday`, adminA)).toMatchObject({ status: 400 });

    // All or nothing: nothing above changed `mine`.
    expect((await call('GET', `/api/v1/leaks/${mine}`, adminA)).body.status).toBe('open');
  });

  it('virtual patch: only open leaks, removed when fixed', async () => {
    const { leakids: [id] } = await addTokens(adminA, 1);
    expect(await call('POST', '/api/v1/leaks/virtual-patch', adminA, { leakid: id, enabled: true })).toMatchObject({
      status: 200, body: { results: [{ leakid: id, virtual_patch: true, changed: true }] },
    });
    expect((await call('GET', `/api/v1/leaks?virtual_patch=true`, adminA)).body.items.map((l: { leakid: string }) => l.leakid)).toContain(id);
    await call('POST', '/api/v1/leaks/status', adminA, { leakid: id, status: 'fixed' });
    expect((await call('GET', `/api/v1/leaks/${id}`, adminA)).body).toMatchObject({ status: 'fixed', virtual_patch: false });
    expect(await call('POST', '/api/v1/leaks/virtual-patch', adminA, { leakid: id, enabled: true })).toMatchObject({ status: 409 });
    const types = (await call('GET', `/api/v1/leaks/${id}/history`, adminA)).body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['LeakDetected', 'VirtualPatchApplied', 'LeakStatusChanged', 'VirtualPatchRemoved']);
  });

  it('conditional decisions: ETag on the leak, If-Match on the change, 412 when it moved on', async () => {
    const { leakids: [id] } = await addTokens(adminA, 1);
    const read = await fetch(`${e2e.app.url}/api/v1/leaks/${id}`, { headers: { 'x-api-key': adminA } });
    const etag = read.headers.get('etag');
    expect(etag).toBe('"0"');
    const conditional = (match: string, body: object) =>
      fetch(`${e2e.app.url}/api/v1/leaks/status`, { method: 'POST', headers: { 'x-api-key': adminA, 'content-type': 'application/json', 'if-match': match }, body: JSON.stringify(body) });
    expect((await conditional(etag!, { leakid: id, status: 'fixed' })).status).toBe(200);
    const stale = await conditional(etag!, { leakid: id, status: 'open' });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ revision: 1 });
    expect((await conditional('"1"', { leakids: [id], status: 'open' })).status).toBe(400);
    expect((await conditional('"1"', { leakid: id, status: 'open' })).status).toBe(200);
  });

  it('shows the leak as it was before the fix (as_of)', async () => {
    const { leakids: [id] } = await addTokens(adminA, 1);
    await new Promise((r) => setTimeout(r, 20));
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await call('POST', '/api/v1/leaks/status', adminA, { leakid: id, status: 'fixed' });
    expect((await call('GET', `/api/v1/leaks/${id}?as_of=${before}`, adminA)).body).toMatchObject({ status: 'open', revision: 0, as_of: before });
    expect((await call('GET', `/api/v1/leaks/${id}`, adminA)).body).toMatchObject({ status: 'fixed', revision: 1 });
    expect(await call('GET', `/api/v1/leaks/${id}?as_of=2000-01-01T00:00:00Z`, adminA)).toMatchObject({ status: 404 });
  });

  it('lists with filters, cursor pagination and a per-type summary, only within the caller\'s visibility', async () => {
    const { leakids } = await addTokens(adminA, 7, 'gitlab-snippets');
    const page1 = await call('GET', '/api/v1/leaks?source=gitlab-snippets&limit=5', adminA);
    expect(page1.body).toMatchObject({ total: 7, items: expect.any(Array), next_cursor: expect.any(String) });
    expect(page1.body.items).toHaveLength(5);
    const page2 = await call('GET', `/api/v1/leaks?source=gitlab-snippets&limit=5&cursor=${page1.body.next_cursor}`, adminA);
    expect(page2.body.items).toHaveLength(2);
    expect(page2.body.next_cursor).toBeNull();
    expect([...page1.body.items, ...page2.body.items].map((l: { leakid: string }) => l.leakid).sort()).toEqual([...leakids].sort());
    expect(page1.body.summary.organization).toBeGreaterThanOrEqual(7);
    const foreign = await call('GET', '/api/v1/leaks?source=gitlab-snippets', adminB);
    expect(foreign.body).toMatchObject({ total: 0, items: [] });
  });

  it('who sees what: personal, employee (verified email domain), customer (verified site domain), organization', async () => {
    const claim = await call('POST', '/api/v1/domains', adminB, { domain: 'bravo.example' });
    dns.setTxt('_leakwatch-challenge.bravo.example', [claim.body.dns.value]);
    expect((await call('POST', '/api/v1/domains/bravo.example/verify', adminB)).body.status).toBe('verified');

    const password = () => `P@ss-${randomBytes(6).toString('hex')}`;
    const credentials = [
      { email: 'ana@bravo.example', password: password(), url: 'https://mail.other.example' }, // B's analyst: personal for them
      { email: 'dev@eu.bravo.example', password: password(), url: 'https://other.example' }, // employee (subdomain)
      { email: 'customer@gmail.example', password: password(), url: 'https://shop.bravo.example/login' }, // customer
      { email: 'x@notbravo.example', password: password(), url: 'https://evilbravo.example' }, // look-alikes: nobody at B
    ];
    planted.push(...credentials.map((c) => c.password));
    const added = await call('POST', '/api/v1/leaks', adminA, { source: { name: 'stealer-log' }, credentials });
    expect(added).toMatchObject({ status: 201, body: { created: 4 } });
    await waitForLeaks(adminA, added.body.leakids);

    const forB = await call('GET', '/api/v1/leaks?source=stealer-log&limit=50', analystB);
    expect(forB.body.items.map((l: { identity: { email: string }; type: string }) => [l.identity.email, l.type]).sort()).toEqual([
      ['ana@bravo.example', 'personal'],
      ['customer@gmail.example', 'customer'],
      ['dev@eu.bravo.example', 'employee'],
    ]);
    expect(forB.body.summary).toMatchObject({ personal: 1, employee: 1, customer: 1 });
    expect((await call('GET', '/api/v1/leaks?source=stealer-log&type=employee', analystB)).body.total).toBe(1);
    const forA = await call('GET', '/api/v1/leaks?source=stealer-log&limit=50', adminA);
    expect(forA.body.items.every((l: { type: string }) => l.type === 'organization')).toBe(true);
    expect(forA.body.total).toBe(4);
    for (const item of forA.body.items) expect(JSON.stringify(item)).not.toMatch(/P@ss-/);

    // B may act on the leaks it can see, and only on those.
    const [employeeLeak] = forB.body.items.filter((l: { type: string }) => l.type === 'employee');
    expect((await call('POST', '/api/v1/leaks/status', adminB, { leakid: employeeLeak.leakid, status: 'fixed' })).status).toBe(200);
    expect((await call('POST', '/api/v1/leaks/status', analystB, { leakid: employeeLeak.leakid, status: 'open' })).status).toBe(403);
    const lookalike = forA.body.items.find((l: { identity: { email: string } }) => l.identity.email === 'x@notbravo.example');
    expect((await call('POST', '/api/v1/leaks/status', adminB, { leakid: lookalike.leakid, status: 'fixed' })).status).toBe(404);

    // Revoking the domain takes the employee and customer leaks out of B's view, and the personal one too:
    // B no longer vouches for ana@bravo.example, and that leak was ingested by another organisation (issue 15.2).
    await call('DELETE', '/api/v1/domains/bravo.example', adminB);
    const after = await call('GET', '/api/v1/leaks?source=stealer-log&limit=50', analystB);
    expect(after.body).toMatchObject({ total: 0, items: [] });
  });

  it('concurrent decisions on the same leaks never lose or duplicate an update', async () => {
    const { leakids } = await addTokens(adminA, 3);
    const statuses = ['fixed', 'open', 'false_positive', 'open'] as const;
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call('POST', '/api/v1/leaks/status', adminA, { leakids, status: statuses[i % statuses.length] })),
    );
    // Every request is answered (a conflict is retried inside, never surfaced as an error or dropped), and each
    // answer accounts for all three leaks: changed, or already in the asked status.
    type Result = { leakid: string; status: string; previous_status: string; changed: boolean };
    const changes = new Map<string, Result[]>(leakids.map((id) => [id, []]));
    responses.forEach((response, i) => {
      expect({ request: i, status: response.status }).toEqual({ request: i, status: 200 });
      const results = response.body.results as Result[];
      expect(results.map((r) => r.leakid).sort()).toEqual([...leakids].sort());
      expect(response.body.updated + response.body.unchanged).toBe(3);
      for (const r of results) {
        expect(r.status).toBe(statuses[i % statuses.length]);
        expect(r.changed).toBe(r.previous_status !== r.status);
        if (r.changed) changes.get(r.leakid)?.push(r);
      }
    });
    for (const id of leakids) {
      const events = (await call('GET', `/api/v1/leaks/${id}/history`, adminA)).body.events.filter((e: { type: string }) => e.type === 'LeakStatusChanged');
      // A consistent chain: each change starts from where the previous one ended; no change is a no-op.
      let current = 'open';
      for (const e of events) {
        expect(e.data.from).toBe(current);
        expect(e.data.to).not.toBe(e.data.from);
        current = e.data.to;
      }
      // Exactly the changes the answers reported were recorded: none lost, none applied twice.
      const answered = (changes.get(id) ?? []).map((r) => `${r.previous_status}>${r.status}`).sort();
      expect(events.map((e: { data: { from: string; to: string } }) => `${e.data.from}>${e.data.to}`).sort()).toEqual(answered);
      expect((await call('GET', `/api/v1/leaks/${id}`, adminA)).body.status).toBe(current);
    }
  });

  it('after a restart everything is as it was; no planted secret is in the database or the logs', async () => {
    const before = await call('GET', '/api/v1/leaks?limit=500', adminA);
    const output = e2e.app.output();
    expect(await e2e.restart()).toBe(0);
    const after = await call('GET', '/api/v1/leaks?limit=500', adminA);
    expect(after.body).toEqual(before.body);

    const dump = await dumpEmbeddedDatabase(e2e.app.dataDir);
    expect(dump.length).toBeGreaterThan(10_000);
    for (const secret of planted) {
      expect(dump).not.toContain(secret);
      expect(output + e2e.app.output()).not.toContain(secret);
    }
  });
});
