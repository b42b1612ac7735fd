/**
 * The BOLA matrix (issue 15): every operation × every role × own and foreign objects, against `npm start`'s
 * process, with the README's access table as the oracle. Callers: global admin, global analyst, admin and
 * analyst of org A, admin of org B, and an org-A admin key whose `user_email` is an address of org B
 * (self-asserted, not vouched for by A). The only outcome allowed for an object outside the caller's view
 * is "does not exist" (404, absent from lists, `leaked: false`); no write may land on it.
 * Every deviation is collected, and the suite expects none.
 */
import { createHash, randomBytes } from 'node:crypto';
import { eventually, startTestDnsServer, TestDnsServer } from '@leakwatch/testing';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import type { ApiAnswer } from './support/api-client';


type Who = 'global_admin' | 'global_analyst' | 'adminA' | 'analystA' | 'adminB' | 'foreignEmailA';
const CALLERS: Who[] = ['global_admin', 'global_analyst', 'adminA', 'analystA', 'adminB', 'foreignEmailA'];
const ORG_OF: Record<Who, 'A' | 'B' | undefined> = {
  global_admin: undefined, global_analyst: undefined, adminA: 'A', analystA: 'A', adminB: 'B', foreignEmailA: 'A',
};
const MUTATES: Record<Who, boolean> = { global_admin: true, global_analyst: false, adminA: true, analystA: false, adminB: true, foreignEmailA: true };

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
  const call: E2e['call'] = (...args) => e2e.call(...args);
  const keys = {} as Record<Who, string>;
  const keyIds = {} as Record<Who, string>;
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
    const answer = await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: who, ...body });
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
    e2e = await startE2e({ LEAKWATCH_DNS_SERVERS: dns.address, LEAKWATCH_VERIFICATION_ALLOW_PRIVATE: 'true' });
    keys.global_admin = E2E_ADMIN_KEY;
    orgs.A = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Alpha' })).body.org_id;
    orgs.B = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    await issue('global_analyst', { role: 'global_analyst' });
    await issue('adminA', { role: 'admin', org_id: orgs.A, user_email: 'sec@alpha.example' });
    await issue('analystA', { role: 'analyst', org_id: orgs.A, user_email: 'ana@alpha.example' });
    await issue('adminB', { role: 'admin', org_id: orgs.B, user_email: 'sec@bravo.example' });
    // Self-asserted: org A types an address of org B into its own key (issue 15 item 2).
    await issue('foreignEmailA', { role: 'admin', org_id: orgs.A, user_email: 'ceo@bravo.example' });
    keyIds.global_admin = (await call('GET', '/api/v1/api-keys', E2E_ADMIN_KEY)).body.items.find((k: { role: string }) => k.role === 'global_admin').id;
    await verifyDomain(keys.adminA, 'alpha.example');
    await verifyDomain(keys.adminB, 'bravo.example');

    const everyone = CALLERS;
    const orgA: Who[] = ['global_admin', 'global_analyst', 'adminA', 'analystA', 'foreignEmailA'];
    const orgB: Who[] = ['global_admin', 'global_analyst', 'adminB'];
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
    expect(everyone).toHaveLength(6);
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
  });

  const sees = (who: Who, leak: LeakFixture) => leak.visibleTo.includes(who);

  it('leak reads: get, as_of, history, list, statistics', async () => {
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

  it('leak writes: status and virtual patch, single and bulk — foreign ids are 404 and nothing changes', async () => {
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
    const throwaway = {
      A: (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'spare-a', role: 'analyst', org_id: orgs.A })).body.id as string,
      B: (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'spare-b', role: 'analyst', org_id: orgs.B })).body.id as string,
    };
    const orgKeyIds = { A: [keyIds.adminA, keyIds.analystA, keyIds.foreignEmailA, throwaway.A], B: [keyIds.adminB, throwaway.B] };
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
    const gitleaks = (secret: string) =>
      JSON.stringify([{ Description: 'GitHub PAT', StartLine: 1, EndLine: 1, StartColumn: 1, EndColumn: 40, Match: 'token', Secret: secret,
        File: 'config.yml', SymlinkFile: '', Commit: 'a'.repeat(40), Entropy: 4.5, Author: 'x', Email: 'x@y.example', Date: '2026-01-01T00:00:00Z',
        Message: 'm', Tags: [], RuleID: 'github-pat', Fingerprint: `${'a'.repeat(40)}:config.yml:github-pat:1` }]);
    for (const who of ['adminA', 'analystA', 'adminB', 'foreignEmailA'] as const) {
      const foreign = ORG_OF[who] === 'A' ? 'B' : 'A';
      const manual = newSecret();
      const added = await call('POST', `/api/v1/leaks?org_id=${orgs[foreign]}`, keys[who], { source: { name: 'bola-ingest' }, tokens: [{ value: manual }] });
      const report = newSecret();
      const uploaded = await fetch(`${e2e.app.url}/api/v1/ingest/gitleaks?org_id=${orgs[foreign]}`, {
        method: 'POST', headers: { 'x-api-key': keys[who], 'content-type': 'application/json' }, body: gitleaks(report),
      });
      const secretAnswer = await call('POST', `/api/v1/ingest/github/secret?org_id=${orgs[foreign]}`, keys[who]);
      expectThat(secretAnswer.status === 403, `${who} rotated org ${foreign}'s GitHub webhook secret`, secretAnswer);
      if (!MUTATES[who]) {
        expectThat(added.status === 403 && uploaded.status === 403, `${who} (read-only) ingested: ${added.status}/${uploaded.status}`);
        continue;
      }
      for (const secret of [manual, report]) {
        // Known to the ingesting organisation's own admin, unknown to the other organisation's.
        const own = ORG_OF[who] === 'A' ? keys.adminA : keys.adminB;
        const other = ORG_OF[who] === 'A' ? keys.adminB : keys.adminA;
        await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', own, { token: secret }), (r) => r.body.leaked === true);
        const check = await call('POST', '/api/v1/tokens/check', other, { token: secret });
        expectThat(check.body.leaked === false, `${who}'s ingest with org_id of ${foreign} landed in org ${foreign}`, check);
      }
    }
  }, 120_000);

  afterAll(() => {
    // One summary for the whole matrix: the number of checks and every deviation from the oracle.
    process.stdout.write(`BOLA matrix: ${checks} checks, ${violations.length} violations\n`);
  });

  it('found no foreign read or write', () => {
    expect(violations).toEqual([]);
    expect(checks).toBeGreaterThan(400);
  });
});
