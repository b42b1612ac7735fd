/**
 * The BOLA matrix (issue 15): every operation × every role × own and foreign objects, against `npm start`'s
 * process, with the README's access table as the oracle. Callers: global admin, global analyst, admin and
 * analyst of org A, admin and analyst of org B, and an org-A admin key whose `user_email` is an address of org B
 * (self-asserted, not vouched for by A). The only outcome allowed for an object outside the caller's view
 * is "does not exist" (404, absent from lists, `leaked: false`); no write may land on it.
 * Every deviation is collected, and the suite expects none.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { eventually, startTestDnsServer, TestDnsServer } from '@leakwatch/testing';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import type { ApiAnswer } from './support/api-client';


type Who = 'global_admin' | 'global_analyst' | 'adminA' | 'analystA' | 'adminB' | 'analystB' | 'foreignEmailA';
const CALLERS: Who[] = ['global_admin', 'global_analyst', 'adminA', 'analystA', 'adminB', 'analystB', 'foreignEmailA'];
const ORG_OF: Record<Who, 'A' | 'B' | undefined> = {
  global_admin: undefined, global_analyst: undefined, adminA: 'A', analystA: 'A', adminB: 'B', analystB: 'B', foreignEmailA: 'A',
};
const MUTATES: Record<Who, boolean> = { global_admin: true, global_analyst: false, adminA: true, analystA: false, adminB: true, analystB: false, foreignEmailA: true };

/**
 * The operations the matrix has rows for ("METHOD /path/template" as the OpenAPI document writes them): each
 * test adds the operations it sends as every caller, and the last test holds them against the served document,
 * so a new endpoint without a BOLA row fails the suite.
 */
const ROWS = new Set<string>();
const row = (...operations: string[]) => operations.forEach((operation) => ROWS.add(operation));
/** Operations that are public and hold no organisation's data: no row. */
const PUBLIC_OPERATIONS = [
  'GET /api', // the service's name and where its documents are
  'GET /health', // liveness and readiness: no data of any organisation
  'GET /health/live',
  'GET /health/ready',
];
/**
 * Rows for operations the document leaves out on purpose: the reverse proxy's `auth_request` endpoint (its
 * contract is nginx's, documented in the README). `/metrics`, `/docs` and the console's pages are neither in
 * the document nor organisation data.
 */
const UNDOCUMENTED_ROWS = ['GET /api/v1/tokens/authorize'];

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../../libs/ingest/domain/test/fixtures', name), 'utf8');

interface LeakFixture {
  name: string;
  leakid: string;
  /** Token leaks: the secret and whether its owner patched it. */
  token?: string;
  blocked: boolean;
  visibleTo: Who[];
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const newSecret = () => `ghp_${randomBytes(18).toString('hex')}`;

describe('BOLA matrix (e2e)', () => {
  let e2e: E2e;
  let dns: TestDnsServer;
  /** Receives the notifications (the only address the process may send them to). */
  let receiver: Server;
  let receiverUrl: string;
  const call: E2e['call'] = (...args) => e2e.call(...args);
  const keys = {} as Record<Who, string>;
  const keyIds = {} as Record<Who, string>;
  /** Each issued key's own daily limit (distinct, so `/api/stats` shows whose key it describes). */
  const limits = {} as Partial<Record<Who, number>>;
  const orgs = {} as Record<'A' | 'B', string>;
  const leaks: LeakFixture[] = [];
  const passwords: string[] = [];
  const violations: string[] = [];
  let checks = 0;

  /** Records a deviation from the oracle instead of stopping at the first one: the report lists them all. */
  const expectThat = (ok: boolean, what: string, answer?: ApiAnswer) => {
    checks++;
    if (!ok) violations.push(`${what}${answer ? ` → ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 200)}` : ''}`);
  };


  const verifyDomain = async (admin: string, domain: string) => {
    const claim = await call('POST', '/api/v1/domains', admin, { domain });
    dns.setTxt(`_leakwatch-challenge.${domain}`, [claim.body.dns.value]);
    expect((await call('POST', `/api/v1/domains/${domain}/verify`, admin)).body.status).toBe('verified');
  };

  const issue = async (who: Who, body: Record<string, unknown>) => {
    limits[who] = 20_000 + CALLERS.indexOf(who);
    const answer = await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: who, limit: limits[who], ...body });
    expect(answer.status).toBe(201);
    keys[who] = answer.body.key;
    keyIds[who] = answer.body.id;
  };

  const add = async (admin: Who, body: Record<string, unknown>): Promise<string[]> => {
    const answer = await call('POST', '/api/v1/leaks', keys[admin], { source: { name: 'bola' }, ...body });
    expect(answer.status).toBe(201);
    return answer.body.leakids;
  };

  beforeAll(async () => {
    dns = await startTestDnsServer();
    receiver = createServer((req, res) => req.resume().on('end', () => res.end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    e2e = await startE2e({
      LEAKWATCH_DNS_SERVERS: dns.address, LEAKWATCH_VERIFICATION_ALLOW_PRIVATE: 'true',
      LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES: '127.0.0.1', LEAKWATCH_NOTIFY_ALLOW_HTTP: 'true',
    });
    keys.global_admin = E2E_ADMIN_KEY;
    orgs.A = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Alpha' })).body.org_id;
    orgs.B = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    await issue('global_analyst', { role: 'global_analyst' });
    await issue('adminA', { role: 'admin', org_id: orgs.A, user_email: 'sec@alpha.example' });
    await issue('analystA', { role: 'analyst', org_id: orgs.A, user_email: 'ana@alpha.example' });
    await issue('adminB', { role: 'admin', org_id: orgs.B, user_email: 'sec@bravo.example' });
    await issue('analystB', { role: 'analyst', org_id: orgs.B, user_email: 'bob@bravo.example' });
    // Self-asserted: org A types an address of org B into its own key (issue 15 item 2).
    await issue('foreignEmailA', { role: 'admin', org_id: orgs.A, user_email: 'ceo@bravo.example' });
    keyIds.global_admin = (await call('GET', '/api/v1/api-keys', E2E_ADMIN_KEY)).body.items.find((k: { role: string }) => k.role === 'global_admin').id;
    await verifyDomain(keys.adminA, 'alpha.example');
    await verifyDomain(keys.adminB, 'bravo.example');

    const everyone = CALLERS;
    const orgA: Who[] = ['global_admin', 'global_analyst', 'adminA', 'analystA', 'foreignEmailA'];
    const orgB: Who[] = ['global_admin', 'global_analyst', 'adminB', 'analystB'];
    const shared = `ghp_${randomBytes(18).toString('hex')}`; // the same token leaked at both organisations
    const tokenA = `ghp_${randomBytes(18).toString('hex')}`;
    const tokenB = `ghp_${randomBytes(18).toString('hex')}`;
    const [aToken, aShared] = await add('adminA', { tokens: [{ value: tokenA }, { value: shared }] });
    const [bToken, bShared] = await add('adminB', { tokens: [{ value: tokenB }, { value: shared }] });
    passwords.push(`P@ss-${randomBytes(6).toString('hex')}`, `P@ss-${randomBytes(6).toString('hex')}`);
    const [bCeo, bAlpha] = await add('adminB', {
      credentials: [
        { email: 'ceo@bravo.example', password: passwords[0], url: 'https://shop.bravo.example/login' },
        { email: 'dev@alpha.example', password: passwords[1], url: 'https://other.example' },
      ],
    });
    leaks.push(
      { name: 'A token', leakid: aToken, token: tokenA, blocked: true, visibleTo: orgA },
      { name: 'A shared token', leakid: aShared, token: shared, blocked: false, visibleTo: orgA },
      { name: 'B token', leakid: bToken, token: tokenB, blocked: true, visibleTo: orgB },
      { name: 'B shared token', leakid: bShared, token: shared, blocked: true, visibleTo: orgB },
      // ceo@bravo.example: B's employee; the foreign-email key of A must NOT see it through `personal`.
      { name: 'B credential of ceo@bravo.example', leakid: bCeo, blocked: false, visibleTo: orgB },
      // dev@alpha.example ingested by B: an employee leak for A (verified alpha.example), so A sees it too.
      { name: 'B credential of dev@alpha.example', leakid: bAlpha, blocked: false, visibleTo: [...new Set([...orgB, ...orgA])] },
    );
    expect(everyone).toHaveLength(7);
    for (const leak of leaks) await eventually(`GET /api/v1/leaks/${leak.leakid}`, () => call('GET', `/api/v1/leaks/${leak.leakid}`, E2E_ADMIN_KEY), (r) => r.status === 200);
    expect((await call('POST', '/api/v1/leaks/virtual-patch', keys.adminA, { leakid: aToken, enabled: true })).status).toBe(200);
    expect((await call('POST', '/api/v1/leaks/virtual-patch', keys.adminB, { leakids: [bToken, bShared], enabled: true })).status).toBe(200);
    for (const leak of leaks.filter((l) => l.token)) {
      await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', E2E_ADMIN_KEY, { token: leak.token }), (r) => r.body.leaked === true && (!leak.blocked || r.body.blocked === true));
    }
    await eventually('GET /api/v1/stats/leaks', () => call('GET', '/api/v1/stats/leaks', E2E_ADMIN_KEY), (r) => r.body?.total === leaks.length);
  }, 120_000);

  afterAll(async () => {
    await e2e.app.stop();
    e2e.app.cleanUp();
    await dns?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const sees = (who: Who, leak: LeakFixture) => leak.visibleTo.includes(who);

  it('leak reads: get, as_of, history, list, statistics', async () => {
    row('GET /api/v1/leaks/{leakid}', 'GET /api/v1/leaks/{leakid}/history', 'GET /api/v1/leaks', 'GET /api/v1/stats/leaks', 'GET /api/v1/stats/attempts');
    const now = new Date(Date.now() + 60_000).toISOString();
    for (const who of CALLERS) {
      for (const leak of leaks) {
        const expected = sees(who, leak) ? 200 : 404;
        for (const path of [`/api/v1/leaks/${leak.leakid}`, `/api/v1/leaks/${leak.leakid}?as_of=${now}`, `/api/v1/leaks/${leak.leakid}/history`]) {
          const answer = await call('GET', path, keys[who]);
          expectThat(answer.status === expected, `${who} GET ${path} (${leak.name}) expected ${expected}`, answer);
        }
      }
      const list = await call('GET', '/api/v1/leaks?limit=500', keys[who]);
      const listed = new Set<string>(list.body.items.map((l: { leakid: string }) => l.leakid));
      for (const leak of leaks) expectThat(listed.has(leak.leakid) === sees(who, leak), `${who} list contains ${leak.name}: ${listed.has(leak.leakid)}`);
      const visibleCount = leaks.filter((l) => sees(who, l)).length;
      expectThat(list.body.total === visibleCount, `${who} list total ${list.body.total}, expected ${visibleCount}`);
      const stats = await call('GET', '/api/v1/stats/leaks', keys[who]);
      expectThat(stats.body.total === visibleCount, `${who} stats total ${stats.body.total}, expected ${visibleCount}`, stats);
      const attempts = await call('GET', '/api/v1/stats/attempts', keys[who]);
      for (const item of attempts.body?.items ?? []) {
        const leak = leaks.find((l) => l.leakid === item.leakid);
        expectThat(!leak || sees(who, leak), `${who} attempts list shows ${leak?.name}`);
      }
    }
  }, 120_000);

  it('exports, the audit log, the remediation report and org-wide as_of show exactly the visible leaks', async () => {
    row('GET /api/v1/leaks/export', 'GET /api/v1/audit/events', 'GET /api/v1/reports/remediation');
    const asOf = new Date().toISOString(); // after every fixture leak and patch: as_of must agree with today
    // The temporal read models are fed asynchronously: wait until the global view as of that moment is complete.
    await eventually('GET /api/v1/leaks?as_of', () => call('GET', `/api/v1/leaks?limit=1&as_of=${asOf}`, E2E_ADMIN_KEY), (r) => r.body?.total === leaks.length);
    await eventually('GET /api/v1/stats/leaks?as_of', () => call('GET', `/api/v1/stats/leaks?as_of=${asOf}`, E2E_ADMIN_KEY), (r) => r.body?.total === leaks.length);
    const ids = (ndjson: string) => new Set<string>(String(ndjson).split('\n').filter(Boolean).map((line) => JSON.parse(line).leakid));
    const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((id) => b.has(id));
    for (const who of CALLERS) {
      const visible = new Set(leaks.filter((l) => sees(who, l)).map((l) => l.leakid));
      for (const route of ['/api/v1/leaks/export?format=ndjson', `/api/v1/leaks/export?format=ndjson&as_of=${asOf}`]) {
        const exported = await call('GET', route, keys[who]);
        expectThat(exported.status === 200 && same(ids(exported.body), visible), `${who} GET ${route} lists [${[...ids(exported.body)]}], expected [${[...visible]}]`, exported);
      }
      const csv = await call('GET', '/api/v1/leaks/export?format=csv', keys[who]);
      const csvIds = new Set<string>(String(csv.body).split('\r\n').slice(1).filter(Boolean).map((line) => line.split(',')[0]));
      expectThat(csv.status === 200 && same(csvIds, visible), `${who} CSV export lists [${[...csvIds]}], expected [${[...visible]}]`, csv);

      const audit = await call('GET', '/api/v1/audit/events', keys[who]);
      expectThat(audit.status === 200 && same(ids(audit.body), visible), `${who} audit log covers [${[...ids(audit.body)]}], expected [${[...visible]}]`, audit);

      const report = await call('GET', '/api/v1/reports/remediation', keys[who]);
      const decided = new Set<string>((report.body?.decisions ?? []).map((d: { leakid: string }) => d.leakid));
      expectThat(report.status === 200 && report.body.totals.opened === visible.size, `${who} remediation report opened ${report.body?.totals?.opened}, expected ${visible.size}`, report);
      expectThat([...decided].every((id) => visible.has(id)), `${who} remediation report shows decisions on invisible leaks [${[...decided]}]`);

      // The organisation as of a moment: the same policy as today, for the list, its summary and the statistics.
      const list = await call('GET', `/api/v1/leaks?limit=500&as_of=${asOf}`, keys[who]);
      const listed = new Set<string>((list.body?.items ?? []).map((l: { leakid: string }) => l.leakid));
      expectThat(list.status === 200 && same(listed, visible) && list.body.total === visible.size, `${who} GET /api/v1/leaks?as_of lists [${[...listed]}], expected [${[...visible]}]`, list);
      const stats = await call('GET', `/api/v1/stats/leaks?as_of=${asOf}`, keys[who]);
      expectThat(stats.status === 200 && stats.body.total === visible.size, `${who} GET /api/v1/stats/leaks?as_of total ${stats.body?.total}, expected ${visible.size}`, stats);
    }
  }, 120_000);

  it('leak writes: status and virtual patch, single and bulk — foreign ids are 404 and nothing changes', async () => {
    row('POST /api/v1/leaks/status', 'POST /api/v1/leaks/virtual-patch');
    // Decisions in each leak's history (recorded token-use attempts arrive asynchronously and are not decisions).
    const revisions = async () =>
      Promise.all(
        leaks.map(async (l) => {
          const history = await call('GET', `/api/v1/leaks/${l.leakid}/history`, E2E_ADMIN_KEY);
          return history.body.events.filter((e: { type: string }) => e.type !== 'LeakedTokenUseAttempted').length;
        }),
      );
    const before = await revisions();
    for (const who of CALLERS) {
      for (const leak of leaks) {
        // No-op decisions (the current state again): an allowed one answers 200 and writes nothing.
        const expected = !MUTATES[who] ? 403 : sees(who, leak) ? 200 : 404;
        const status = await call('POST', '/api/v1/leaks/status', keys[who], { leakid: leak.leakid, status: 'open' });
        expectThat(status.status === expected, `${who} status ${leak.name} expected ${expected}`, status);
        const patch = await call('POST', '/api/v1/leaks/virtual-patch', keys[who], { leakid: leak.leakid, enabled: leak.blocked });
        expectThat(patch.status === expected, `${who} virtual-patch ${leak.name} expected ${expected}`, patch);
      }
      const all = leaks.map((l) => l.leakid);
      const hidden = leaks.filter((l) => !sees(who, l)).map((l) => l.leakid);
      // A bulk change that IS allowed (global admin) would change the fixture: it is covered by the
      // leak-lifecycle suite; here only refusals are sent in bulk.
      if (MUTATES[who] && hidden.length === 0) continue;
      const bulk = await call('POST', '/api/v1/leaks/status', keys[who], { leakids: all, status: 'fixed' });
      if (!MUTATES[who]) expectThat(bulk.status === 403, `${who} bulk status expected 403`, bulk);
      else {
        expectThat(bulk.status === 404 && JSON.stringify([...bulk.body.leakids].sort()) === JSON.stringify([...hidden].sort()), `${who} bulk status expected 404 naming the hidden ids`, bulk);
        const patchBulk = await call('POST', '/api/v1/leaks/virtual-patch', keys[who], { leakids: all, enabled: false });
        expectThat(patchBulk.status === 404, `${who} bulk virtual-patch expected 404`, patchBulk);
      }
    }
    const after = await revisions();
    leaks.forEach((leak, i) => expectThat(after[i] === before[i], `${leak.name} changed from revision ${before[i]} to ${after[i]}`));
  }, 120_000);

  it('token check, reverse-proxy authorize, range, blocklist and attempts see only visible leaks; passwords never match', async () => {
    row('GET /api/v1/tokens/blocklist', 'POST /api/v1/tokens/check', 'GET /api/v1/tokens/authorize', 'GET /api/v1/tokens/range/{prefix}', 'POST /api/v1/tokens/attempts');
    const tokens = [...new Set(leaks.filter((l) => l.token).map((l) => l.token as string))];
    for (const who of CALLERS) {
      const blocklist = await call('GET', '/api/v1/tokens/blocklist?limit=5000', keys[who]);
      const blockedListed = new Set<string>(blocklist.body.changes.filter((c: { blocked: boolean }) => c.blocked).map((c: { leakid: string }) => c.leakid));
      for (const leak of leaks.filter((l) => l.token)) {
        expectThat(blockedListed.has(leak.leakid) === (sees(who, leak) && leak.blocked), `${who} blocklist lists ${leak.name}: ${blockedListed.has(leak.leakid)}`);
      }
      for (const token of tokens) {
        const mine = leaks.filter((l) => l.token === token && sees(who, l));
        const leaked = mine.length > 0;
        const blocked = mine.some((l) => l.blocked);
        const check = await call('POST', '/api/v1/tokens/check', keys[who], { token });
        expectThat(check.body.leaked === leaked && check.body.blocked === blocked, `${who} check expected leaked=${leaked} blocked=${blocked}`, check);
        if (check.body.leakid) expectThat(mine.some((l) => l.leakid === check.body.leakid), `${who} check revealed leakid of an invisible leak`, check);

        const authorize = await fetch(`${e2e.app.url}/api/v1/tokens/authorize`, { headers: { 'x-leakwatch-key': keys[who], authorization: `Bearer ${token}` } });
        expectThat(authorize.status === (blocked ? 403 : 204), `${who} authorize expected ${blocked ? 403 : 204}, got ${authorize.status}`);

        const fingerprint = sha256(token);
        const range = await fetch(`${e2e.app.url}/api/v1/tokens/range/${fingerprint.slice(0, 5)}`, { headers: { 'x-api-key': keys[who] } });
        const lines = (await range.text()).trim().split('\n');
        const line = lines.find((l) => l.startsWith(fingerprint.slice(5)));
        const expectedLine = blocked ? `${fingerprint.slice(5)}:B` : leaked ? `${fingerprint.slice(5)}:L` : undefined;
        expectThat(range.status === 200 && line === expectedLine, `${who} range line ${line}, expected ${expectedLine}`);
        expectThat(lines.length % 128 === 0, `${who} range not padded: ${lines.length} lines`);

        const attempts = await call('POST', '/api/v1/tokens/attempts', keys[who], { attempts: [{ sha256: fingerprint }] });
        expectThat(attempts.status === 202 && attempts.body.recorded === (blocked ? 1 : 0), `${who} attempts expected recorded=${blocked ? 1 : 0}`, attempts);
      }
    }
  }, 120_000);

  it('a credential\'s password is never matched by the token check, not even for its own organisation', async () => {
    for (const who of CALLERS) {
      for (const password of passwords) {
        const check = await call('POST', '/api/v1/tokens/check', keys[who], { token: password });
        expectThat(check.status === 200 && check.body.leaked === false, `${who} learned that a password is leaked`, check);
      }
    }
  });

  it('keys, domains and organisations: lists show only the own organisation; foreign ones are unreachable', async () => {
    row('GET /api/v1/api-keys', 'GET /api/v1/domains', 'GET /api/v1/orgs', 'POST /api/v1/api-keys/{id}/rotate', 'DELETE /api/v1/api-keys/{id}',
      'POST /api/v1/api-keys', 'POST /api/v1/domains/{domain}/verify', 'DELETE /api/v1/domains/{domain}', 'POST /api/v1/orgs');
    const throwaway = {
      A: (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'spare-a', role: 'analyst', org_id: orgs.A })).body.id as string,
      B: (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'spare-b', role: 'analyst', org_id: orgs.B })).body.id as string,
    };
    const orgKeyIds = { A: [keyIds.adminA, keyIds.analystA, keyIds.foreignEmailA, throwaway.A], B: [keyIds.adminB, keyIds.analystB, throwaway.B] };
    for (const who of CALLERS) {
      const own = ORG_OF[who];
      const listedKeys = new Set<string>((await call('GET', '/api/v1/api-keys', keys[who])).body?.items?.map((k: { id: string }) => k.id) ?? []);
      for (const org of ['A', 'B'] as const) {
        const foreign = own !== undefined && own !== org;
        for (const id of orgKeyIds[org]) if (foreign) expectThat(!listedKeys.has(id), `${who} lists a key of org ${org}`);
        const domains = (await call('GET', '/api/v1/domains', keys[who])).body?.items ?? [];
        if (foreign) expectThat(!domains.some((d: { org_id: string }) => d.org_id === orgs[org]), `${who} lists a domain of org ${org}`);
        const listedOrgs = (await call('GET', '/api/v1/orgs', keys[who])).body?.items ?? [];
        if (foreign) expectThat(!listedOrgs.some((o: { org_id: string }) => o.org_id === orgs[org]), `${who} lists org ${org}`);
        if (!foreign) continue;
        // Writes on the other organisation's objects: never 2xx.
        const domain = org === 'A' ? 'alpha.example' : 'bravo.example';
        const attempts: Array<[string, string, unknown?]> = [
          ['POST', `/api/v1/api-keys/${throwaway[org]}/rotate`],
          ['DELETE', `/api/v1/api-keys/${throwaway[org]}`],
          ['POST', '/api/v1/api-keys', { name: 'intruder', role: 'admin', org_id: orgs[org] }],
          ['POST', `/api/v1/domains/${domain}/verify`],
          ['DELETE', `/api/v1/domains/${domain}`],
          ['POST', '/api/v1/orgs', { name: 'Mallory' }],
        ];
        for (const [method, path, body] of attempts) {
          const answer = await call(method, path, keys[who], body);
          expectThat(answer.status >= 400 && answer.status < 500, `${who} ${method} ${path} on org ${org} answered ${answer.status}`, answer);
        }
      }
    }
    // Nothing above landed: the spare keys are active, the domains verified.
    for (const org of ['A', 'B'] as const) {
      const key = (await call('GET', '/api/v1/api-keys', E2E_ADMIN_KEY)).body.items.find((k: { id: string }) => k.id === throwaway[org]);
      expectThat(key?.status === 'active' && key?.rotated_at === null, `spare key of org ${org} was changed: ${JSON.stringify(key)}`);
    }
    const domains = (await call('GET', '/api/v1/domains', E2E_ADMIN_KEY)).body.items;
    expectThat(domains.every((d: { status: string }) => d.status === 'verified'), `a domain changed: ${JSON.stringify(domains)}`);
  }, 120_000);

  it('ingest: whatever org_id is asked for, a key ingests into its own organisation only; analysts ingest nothing', async () => {
    row('POST /api/v1/leaks', 'POST /api/v1/ingest/gitleaks', 'POST /api/v1/ingest/trufflehog', 'POST /api/v1/ingest/sarif', 'POST /api/v1/ingest/github/secret');
    const trufflehog = (secret: string) => `${JSON.stringify({ DetectorName: 'Github', Raw: secret, Verified: false, SourceMetadata: { Data: { Git: { file: 'b.txt', line: 2 } } } })}\n`;
    const sarif = (secret: string) => JSON.stringify({
      version: '2.1.0',
      runs: [{
        tool: { driver: { name: 'gitleaks', rules: [{ id: 'github-pat' }] } },
        results: [{ ruleId: 'github-pat', message: { text: 'github-pat has detected secret for file deploy/.env' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'deploy/.env' }, region: { startLine: 3, snippet: { text: secret } } } }] }],
      }],
    });
    const upload = (route: string, key: string, body: string, type: string) =>
      fetch(`${e2e.app.url}${route}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': type }, body });
    const gitleaks = (secret: string) =>
      JSON.stringify([{ Description: 'GitHub PAT', StartLine: 1, EndLine: 1, StartColumn: 1, EndColumn: 40, Match: 'token', Secret: secret,
        File: 'config.yml', SymlinkFile: '', Commit: 'a'.repeat(40), Entropy: 4.5, Author: 'x', Email: 'x@y.example', Date: '2026-01-01T00:00:00Z',
        Message: 'm', Tags: [], RuleID: 'github-pat', Fingerprint: `${'a'.repeat(40)}:config.yml:github-pat:1` }]);
    for (const who of ['adminA', 'analystA', 'adminB', 'analystB', 'foreignEmailA'] as const) {
      const foreign = ORG_OF[who] === 'A' ? 'B' : 'A';
      const manual = newSecret();
      const added = await call('POST', `/api/v1/leaks?org_id=${orgs[foreign]}`, keys[who], { source: { name: 'bola-ingest' }, tokens: [{ value: manual }] });
      const report = newSecret();
      const uploaded = await fetch(`${e2e.app.url}/api/v1/ingest/gitleaks?org_id=${orgs[foreign]}`, {
        method: 'POST', headers: { 'x-api-key': keys[who], 'content-type': 'application/json' }, body: gitleaks(report),
      });
      const truffle = newSecret();
      const truffleAnswer = await upload(`/api/v1/ingest/trufflehog?org_id=${orgs[foreign]}`, keys[who], trufflehog(truffle), 'application/x-ndjson');
      const sarifSecret = newSecret();
      const sarifAnswer = await upload(`/api/v1/ingest/sarif?org_id=${orgs[foreign]}`, keys[who], sarif(sarifSecret), 'application/json');
      const secretAnswer = await call('POST', `/api/v1/ingest/github/secret?org_id=${orgs[foreign]}`, keys[who]);
      expectThat(secretAnswer.status === 403, `${who} rotated org ${foreign}'s GitHub webhook secret`, secretAnswer);
      if (!MUTATES[who]) {
        const statuses = [added.status, uploaded.status, truffleAnswer.status, sarifAnswer.status];
        expectThat(statuses.every((status) => status === 403), `${who} (read-only) ingested: ${statuses.join('/')}`);
        continue;
      }
      expectThat(truffleAnswer.status === 202 && sarifAnswer.status === 202, `${who} trufflehog/sarif upload answered ${truffleAnswer.status}/${sarifAnswer.status}`);
      for (const secret of [manual, report, truffle, sarifSecret]) {
        // Known to the ingesting organisation's own admin, unknown to the other organisation's.
        const own = ORG_OF[who] === 'A' ? keys.adminA : keys.adminB;
        const other = ORG_OF[who] === 'A' ? keys.adminB : keys.adminA;
        await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', own, { token: secret }), (r) => r.body.leaked === true);
        const check = await call('POST', '/api/v1/tokens/check', other, { token: secret });
        expectThat(check.body.leaked === false, `${who}'s ingest with org_id of ${foreign} landed in org ${foreign}`, check);
      }
    }
  }, 120_000);

  it('session and the Leak-Lookup stats describe the presented key only; a key id of another organisation is no key', async () => {
    row('GET /api/v1/session', 'GET /api/stats', 'POST /api/stats');
    const domainsOf = { A: ['alpha.example'], B: ['bravo.example'] };
    for (const who of CALLERS) {
      const own = ORG_OF[who];
      const session = await call('GET', '/api/v1/session', keys[who]);
      const domains: string[] = session.body?.verified_domains ?? [];
      expectThat(session.status === 200 && session.body.key_id === keyIds[who] && session.body.org_id === (own ? orgs[own] : null),
        `${who} session is not its own key's`, session);
      if (own) expectThat(domains.every((d) => domainsOf[own].includes(d)), `${who} session lists domains of another organisation: ${domains}`, session);

      const foreignIds = CALLERS.filter((other) => other !== who && (!own || ORG_OF[other] !== own)).map((other) => keyIds[other]);
      const answers = [
        await fetch(`${e2e.app.url}/api/stats?key=${encodeURIComponent(keys[who])}`),
        await fetch(`${e2e.app.url}/api/stats`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${encodeURIComponent(keys[who])}` }),
      ];
      for (const answer of answers) {
        const text = await answer.text();
        const body = JSON.parse(text);
        const limit = limits[who];
        expectThat(answer.status === 200 && body.error === 'false' && (limit === undefined || body.message.limit === limit), `${who} /api/stats does not describe its own key: ${text}`);
        expectThat(!text.includes(keys[who]) && !Object.values(orgs).some((org) => text.includes(org)) && !foreignIds.some((id) => text.includes(id)),
          `${who} /api/stats echoes a key or names an organisation or key: ${text}`);
      }
      for (const id of foreignIds) {
        // Presenting another organisation's key id (never a secret) as the key, with the caller's own key as header.
        const answer = await fetch(`${e2e.app.url}/api/stats`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': keys[who] }, body: JSON.stringify({ key: id }) });
        const text = await answer.text();
        expectThat(answer.status === 200 && JSON.parse(text).message === 'INVALID API KEY', `${who} /api/stats answered for a foreign key id: ${text}`);
      }
    }
  }, 120_000);

  it('GitHub webhook: a delivery counts only for the organisation whose secret signed it and never reaches another organisation\'s alert', async () => {
    row('POST /api/v1/ingest/github');
    const secretOf = {
      A: (await call('POST', '/api/v1/ingest/github/secret', keys.adminA)).body.secret as string,
      B: (await call('POST', '/api/v1/ingest/github/secret', keys.adminB)).body.secret as string,
    };
    const deliver = async (org: 'A' | 'B', signWith: 'A' | 'B', payload: string) => {
      const response = await fetch(`${e2e.app.url}/api/v1/ingest/github?org_id=${orgs[org]}`, {
        method: 'POST', body: payload,
        headers: { 'content-type': 'application/json', 'x-github-event': 'secret_scanning_alert', 'x-hub-signature-256': `sha256=${createHmac('sha256', secretOf[signWith]).update(payload).digest('hex')}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const created = fixture('github-alert-created.json');
    const resolved = fixture('github-alert-resolved.json');
    // Signed with one organisation's secret, addressed to the other: refused, nothing stored.
    for (const [org, signer] of [['A', 'B'], ['B', 'A']] as const) {
      const answer = await deliver(org, signer, created);
      expectThat(answer.status === 401, `org ${signer}'s signature accepted for org ${org}`, answer as ApiAnswer);
    }
    // Org B's alert becomes B's leak; org A resolving "the same" alert (number and repository) reaches nothing of B's.
    const ofB = await deliver('B', 'B', created);
    expect(ofB.status).toBe(202);
    const leakid = ofB.body.leakid as string;
    await eventually(`GET /api/v1/leaks/${leakid}`, () => call('GET', `/api/v1/leaks/${leakid}`, keys.adminB), (r) => r.status === 200);
    const byA = await deliver('A', 'A', resolved);
    expectThat(byA.status === 202 && byA.body.leakid === undefined && byA.body.status !== 'fixed', 'org A\'s resolve reached org B\'s alert', byA as ApiAnswer);
    for (const who of CALLERS) {
      const expected = ORG_OF[who] === 'A' ? 404 : 200;
      const answer = await call('GET', `/api/v1/leaks/${leakid}`, keys[who]);
      expectThat(answer.status === expected, `${who} GET the GitHub leak of org B expected ${expected}`, answer);
    }
    const history = (await call('GET', `/api/v1/leaks/${leakid}/history`, E2E_ADMIN_KEY)).body.events as Array<{ type: string }>;
    expectThat(!history.some((e) => e.type === 'LeakStatusChanged'), `org B's GitHub leak was changed: ${JSON.stringify(history.map((e) => e.type))}`);
  }, 120_000);

  it('notifications: subscriptions, their delivery logs and redeliveries of another organisation do not exist; nothing of them changes', async () => {
    row('POST /api/v1/notifications/subscriptions', 'GET /api/v1/notifications/subscriptions', 'GET /api/v1/notifications/subscriptions/{id}',
      'DELETE /api/v1/notifications/subscriptions/{id}', 'GET /api/v1/notifications/subscriptions/{id}/deliveries',
      'POST /api/v1/notifications/subscriptions/{id}/deliveries/{delivery_id}/redeliver');
    const subscription = {} as Record<'A' | 'B', string>;
    const delivery = {} as Record<'A' | 'B', string>;
    for (const org of ['A', 'B'] as const) {
      const created = await call('POST', '/api/v1/notifications/subscriptions', org === 'A' ? keys.adminA : keys.adminB, { url: `${receiverUrl}/${org}` });
      expect(created.status).toBe(201);
      subscription[org] = created.body.id;
    }
    // An event for each organisation, so each subscription has a delivery to redeliver.
    await add('adminA', { tokens: [{ value: newSecret() }] });
    await add('adminB', { tokens: [{ value: newSecret() }] });
    for (const org of ['A', 'B'] as const) {
      const admin = org === 'A' ? keys.adminA : keys.adminB;
      const log = await eventually(`deliveries of org ${org}`, () => call('GET', `/api/v1/notifications/subscriptions/${subscription[org]}/deliveries`, admin), (r) => r.body?.items?.length > 0);
      delivery[org] = log.body.items[0].id;
    }
    for (const who of CALLERS) {
      const own = ORG_OF[who];
      const listed = new Set<string>(((await call('GET', '/api/v1/notifications/subscriptions', keys[who])).body?.items ?? []).map((x: { id: string }) => x.id));
      for (const org of ['A', 'B'] as const) {
        const foreign = own !== undefined && own !== org;
        expectThat(listed.has(subscription[org]) === !foreign, `${who} lists org ${org}'s subscription: ${listed.has(subscription[org])}`);
        const readStatus = foreign ? 404 : 200;
        for (const route of [`/api/v1/notifications/subscriptions/${subscription[org]}`, `/api/v1/notifications/subscriptions/${subscription[org]}/deliveries`]) {
          const answer = await call('GET', route, keys[who]);
          expectThat(answer.status === readStatus, `${who} GET ${route} (org ${org}) expected ${readStatus}`, answer);
        }
        if (foreign) {
          const list = await call('GET', `/api/v1/notifications/subscriptions?org_id=${orgs[org]}`, keys[who]);
          expectThat(list.status === 403, `${who} listed org ${org}'s subscriptions by org_id`, list);
          const create = await call('POST', '/api/v1/notifications/subscriptions', keys[who], { url: `${receiverUrl}/intruder`, org_id: orgs[org] });
          expectThat(create.status === 403, `${who} subscribed org ${org}'s events`, create);
        }
        // Writes: read-only keys are refused (403) whatever the object; admins of another organisation find nothing (404).
        if (!foreign && MUTATES[who]) continue; // allowed on its own: the redelivery below shows it works
        const writeStatus = !MUTATES[who] ? 403 : 404;
        const redeliver = await call('POST', `/api/v1/notifications/subscriptions/${subscription[org]}/deliveries/${delivery[org]}/redeliver`, keys[who]);
        expectThat(redeliver.status === writeStatus, `${who} redeliver org ${org}'s delivery expected ${writeStatus}`, redeliver);
        const removed = await call('DELETE', `/api/v1/notifications/subscriptions/${subscription[org]}`, keys[who]);
        expectThat(removed.status === writeStatus, `${who} DELETE org ${org}'s subscription expected ${writeStatus}`, removed);
      }
    }
    // A delivery id of B under A's subscription is not found either.
    const crossed = await call('POST', `/api/v1/notifications/subscriptions/${subscription.A}/deliveries/${delivery.B}/redeliver`, keys.adminA);
    expectThat(crossed.status === 404, 'adminA redelivered org B\'s delivery through its own subscription', crossed);
    expectThat((await call('POST', `/api/v1/notifications/subscriptions/${subscription.A}/deliveries/${delivery.A}/redeliver`, keys.adminA)).status === 202, 'adminA cannot redeliver its own delivery');
    // Nothing landed: both subscriptions are still there.
    for (const org of ['A', 'B'] as const) {
      const answer = await call('GET', `/api/v1/notifications/subscriptions/${subscription[org]}`, E2E_ADMIN_KEY);
      expectThat(answer.status === 200, `org ${org}'s subscription was deleted`, answer);
    }
    const removed = await call('DELETE', `/api/v1/notifications/subscriptions/${subscription.B}`, keys.adminB);
    expectThat(removed.status === 200, 'adminB cannot delete its own subscription', removed);
  }, 120_000);

  it('domain claims: a claim is the claiming organisation\'s own; another organisation\'s proof verifies nothing for it', async () => {
    row('POST /api/v1/domains');
    for (const who of CALLERS) {
      const own = ORG_OF[who];
      if (!own) continue;
      const foreign = own === 'A' ? 'B' : 'A';
      const domain = foreign === 'A' ? 'alpha.example' : 'bravo.example';
      const byOrgId = await call('POST', '/api/v1/domains', keys[who], { domain: `new-${randomBytes(3).toString('hex')}.example`, org_id: orgs[foreign] });
      expectThat(byOrgId.status === 403, `${who} claimed a domain for org ${foreign}`, byOrgId);
      const claim = await call('POST', '/api/v1/domains', keys[who], { domain });
      if (!MUTATES[who]) {
        expectThat(claim.status === 403, `${who} (read-only) claimed ${domain}`, claim);
        continue;
      }
      // Its own claim of the other organisation's domain: allowed as a claim (201), but the other
      // organisation's TXT record does not verify it, and it opens nothing.
      expectThat(claim.status === 201 && claim.body.org_id === orgs[own], `${who} claim of ${domain} expected 201 for its own organisation`, claim);
      const verify = await call('POST', `/api/v1/domains/${domain}/verify`, keys[who]);
      expectThat(verify.status === 200 && verify.body.status === 'pending', `${who} verified ${domain} with org ${foreign}'s proof`, verify);
      for (const leak of leaks) {
        const answer = await call('GET', `/api/v1/leaks/${leak.leakid}`, keys[who]);
        expectThat(answer.status === (sees(who, leak) ? 200 : 404), `${who} after claiming ${domain}: GET ${leak.name}`, answer);
      }
      const revoked = await call('DELETE', `/api/v1/domains/${domain}`, keys[who]);
      expectThat(revoked.status === 200 && revoked.body.org_id === orgs[own], `${who} could not revoke its own claim of ${domain}`, revoked);
    }
    // The owners' verifications stand.
    const domains = (await call('GET', '/api/v1/domains', E2E_ADMIN_KEY)).body.items as Array<{ org_id: string; domain: string; status: string }>;
    for (const [org, domain] of [['A', 'alpha.example'], ['B', 'bravo.example']] as const) {
      const owned = domains.find((d) => d.org_id === orgs[org] && d.domain === domain);
      expectThat(owned?.status === 'verified', `org ${org}'s ${domain} is ${owned?.status}`);
    }
  }, 120_000);

  it('every operation of the served OpenAPI document has a row in the matrix (public ones excepted)', async () => {
    const document = (await call('GET', '/docs/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([route, item]) =>
      Object.keys(item).filter((method) => ['get', 'put', 'post', 'delete', 'patch'].includes(method)).map((method) => `${method.toUpperCase()} ${route}`));
    expect(documented.length).toBeGreaterThan(30);
    const needed = documented.filter((operation) => !PUBLIC_OPERATIONS.includes(operation)).sort();
    // Every public exception is still in the document (a stale exception would hide nothing, but misleads).
    expect(PUBLIC_OPERATIONS.filter((operation) => !documented.includes(operation))).toEqual([]);
    expect([...ROWS].filter((operation) => !UNDOCUMENTED_ROWS.includes(operation)).sort()).toEqual(needed);
  });

  afterAll(() => {
    // One summary for the whole matrix: the number of checks and every deviation from the oracle.
    process.stdout.write(`BOLA matrix: ${ROWS.size} operations, ${checks} checks, ${violations.length} violations\n`);
  });

  it('found no foreign read or write', () => {
    expect(violations).toEqual([]);
    expect(checks).toBeGreaterThan(400);
  });
});
