/**
 * What gateways build on, against `npm start`'s process (issues 15.3 and 17.2–17.4):
 * - the check and the blocklist are scoped to what the key may see (another organisation's leaked and
 *   patched token is unknown to it; a password is never matched);
 * - the reverse-proxy authorize endpoint (nginx auth_request / Envoy ext_authz shapes);
 * - the k-anonymity range (padding, ETag/304, validation);
 * - the blocklist long-poll, and the blocklist client library following a real server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BlocklistClient } from '@leakwatch/blocklist-client';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const newToken = () => `ghp_${randomBytes(18).toString('hex')}`;

describe('gateway integrations (e2e)', () => {
  let e2e: E2e;
  const call: E2e['call'] = (...args) => e2e.call(...args);
  let adminA: string, gatewayA: string, adminB: string, gatewayB: string;
  let gatewayAId: string;


  /** Adds a token leak as `admin`, optionally patches it, and waits until the gateway index shows it. */
  const leak = async (admin: string, token: string, patch: boolean): Promise<string> => {
    const [leakid] = (await call('POST', '/api/v1/leaks', admin, { source: { name: 'paste' }, tokens: [{ value: token }] })).body.leakids;
    await eventually(`GET /api/v1/leaks/${leakid}`, () => call('GET', `/api/v1/leaks/${leakid}`, admin), (r) => r.status === 200);
    if (patch) expect((await call('POST', '/api/v1/leaks/virtual-patch', admin, { leakid, enabled: true })).status).toBe(200);
    await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', admin, { token }), (r) => r.body.leakid === leakid && r.body.blocked === patch);
    return leakid;
  };

  beforeAll(async () => {
    e2e = await startE2e();
    const orgA = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Alpha' })).body.org_id;
    const orgB = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    const issue = async (role: string, org: string) => (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: role, role, org_id: org })).body.key as string;
    adminA = await issue('admin', orgA);
    const gateway = await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'gateway', role: 'analyst', org_id: orgA });
    gatewayA = gateway.body.key;
    gatewayAId = gateway.body.id;
    adminB = await issue('admin', orgB);
    gatewayB = await issue('analyst', orgB);
  }, 90_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  it('check and blocklist: another organisation\'s leaked, patched token is unknown to the key; a password never matches', async () => {
    const tokenA = newToken();
    const leakA = await leak(adminA, tokenA, true);
    const blocklistA = await call('GET', '/api/v1/tokens/blocklist', gatewayA);
    expect(blocklistA.body.changes).toEqual(expect.arrayContaining([expect.objectContaining({ leakid: leakA, sha256: sha256(tokenA), blocked: true })]));

    expect((await call('POST', '/api/v1/tokens/check', gatewayB, { token: tokenA })).body).toEqual({ leaked: false, blocked: false });
    expect((await call('POST', '/api/v1/tokens/check', gatewayB, { sha256: sha256(tokenA) })).body).toEqual({ leaked: false, blocked: false });
    const blocklistB = await call('GET', '/api/v1/tokens/blocklist', gatewayB);
    expect(JSON.stringify(blocklistB.body)).not.toContain(leakA);
    expect(JSON.stringify(blocklistB.body)).not.toContain(sha256(tokenA));
    // A global key sees every organisation's.
    expect((await call('POST', '/api/v1/tokens/check', E2E_ADMIN_KEY, { token: tokenA })).body).toEqual({ leaked: true, blocked: true, leakid: leakA });

    // The same token leaked at B too: each organisation sees its own leak only.
    const leakB = await leak(adminB, tokenA, false);
    expect((await call('POST', '/api/v1/tokens/check', gatewayB, { token: tokenA })).body).toEqual({ leaked: true, blocked: false, leakid: leakB });
    expect((await call('POST', '/api/v1/tokens/check', gatewayA, { token: tokenA })).body).toEqual({ leaked: true, blocked: true, leakid: leakA });

    const password = `P@ss-${randomBytes(8).toString('hex')}`;
    const [credential] = (await call('POST', '/api/v1/leaks', adminA, { source: { name: 'stealer' }, credentials: [{ email: 'a@x.example', password }] })).body.leakids;
    await eventually(`GET /api/v1/leaks/${credential}`, () => call('GET', `/api/v1/leaks/${credential}`, adminA), (r) => r.status === 200);
    for (const key of [gatewayA, adminA, E2E_ADMIN_KEY, gatewayB]) {
      expect((await call('POST', '/api/v1/tokens/check', key, { token: password })).body).toEqual({ leaked: false, blocked: false });
    }
  }, 60_000);

  it('authorize: 204 allow / 403 blocked from the original request\'s headers, as nginx and Envoy send them', async () => {
    const token = newToken();
    const leakid = await leak(adminA, token, true);
    const authorize = (path: string, init: RequestInit) => fetch(`${e2e.app.url}/api/v1/tokens/authorize${path}`, init);

    expect((await authorize('', { headers: { 'x-leakwatch-key': gatewayA, authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await authorize('', { headers: { 'x-leakwatch-key': gatewayA, 'x-api-key': token } })).status).toBe(403);
    // nginx keeps the original method (body off); Envoy appends the original path.
    expect((await authorize('', { method: 'POST', headers: { 'x-leakwatch-key': gatewayA, authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await authorize('/orders/17?x=1', { method: 'DELETE', headers: { 'x-leakwatch-key': gatewayA, authorization: `Bearer ${token}` } })).status).toBe(403);
    // A configured header.
    const named = await authorize('', { headers: { 'x-leakwatch-key': gatewayA, 'x-leakwatch-token-header': 'X-Shop-Token', 'x-shop-token': token } });
    expect(named.status).toBe(403);
    expect(named.headers.get('x-leakwatch-verdict')).toBe('blocked');

    const allowed = await authorize('', { headers: { 'x-leakwatch-key': gatewayA, authorization: `Bearer ${newToken()}` } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('x-leakwatch-verdict')).toBe('allow');
    expect((await authorize('', { headers: { 'x-leakwatch-key': gatewayA } })).status).toBe(204); // nothing presented
    expect((await authorize('', { headers: { 'x-leakwatch-key': gatewayB, authorization: `Bearer ${token}` } })).status).toBe(204); // not B's leak
    expect((await authorize('', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401); // the proxy's own key is missing
    expect((await authorize('', { headers: { 'x-leakwatch-key': 'lw_nope', authorization: `Bearer ${token}` } })).status).toBe(401);

    // The five 403s of the gateway key (the setup's own checks were recorded under the admin key).
    // Repeats within one flush window are folded into one event with a `count`.
    const byGateway = (r: { body: { events: Array<{ type: string; data: { key_id: string; count?: number } }> } }) =>
      r.body.events.filter((e) => e.type === 'LeakedTokenUseAttempted' && e.data.key_id === gatewayAId);
    const attemptsOf = (r: Parameters<typeof byGateway>[0]) => byGateway(r).reduce((n, e) => n + (e.data.count ?? 1), 0);
    const history = await eventually(`GET /api/v1/leaks/${leakid}/history`, () => call('GET', `/api/v1/leaks/${leakid}/history`, adminA), (r) => attemptsOf(r) >= 5);
    expect(attemptsOf(history)).toBe(5);
    expect(byGateway(history)[0].data).toMatchObject({ leakid, blocked: true });
    expect(e2e.app.output()).not.toContain(token);
  }, 60_000);

  it('range: padded lines, blocked/leaked states, ETag and 304, scoped, validated', async () => {
    const blocked = newToken();
    const leakedOnly = newToken();
    await leak(adminA, blocked, true);
    await leak(adminA, leakedOnly, false);
    const get = (prefix: string, key: string, headers: Record<string, string> = {}) =>
      fetch(`${e2e.app.url}/api/v1/tokens/range/${prefix}`, { headers: { 'x-api-key': key, ...headers } });

    for (const [token, state] of [[blocked, 'B'], [leakedOnly, 'L']] as const) {
      const fingerprint = sha256(token);
      const answer = await get(fingerprint.slice(0, 5).toUpperCase(), gatewayA);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      const lines = (await answer.text()).trim().split('\n');
      expect(lines.length % 128).toBe(0);
      expect(lines.every((l) => /^[0-9a-f]{59}:[BLP]$/.test(l))).toBe(true);
      expect(lines).toContain(`${fingerprint.slice(5)}:${state}`);
      const etag = answer.headers.get('etag') as string;
      expect((await get(fingerprint.slice(0, 5), gatewayA, { 'if-none-match': etag })).status).toBe(304);
      // Another organisation's key gets a padded range without it, and a different ETag.
      const foreign = await get(fingerprint.slice(0, 5), gatewayB);
      const foreignBody = await foreign.text();
      expect(foreignBody).not.toContain(fingerprint.slice(5));
      expect(foreignBody.length).toBe(lines.length * 62);
    }
    const bad = await get('xyz12', gatewayA);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: unknown[] }).errors).toEqual([expect.objectContaining({ field: 'prefix' })]);
  }, 60_000);

  it('the blocklist long-poll answers as soon as a change arrives, and not before', async () => {
    const head = (await call('GET', '/api/v1/tokens/blocklist?limit=5000', gatewayA)).body.next_cursor;
    const started = Date.now();
    const quiet = await call('GET', `/api/v1/tokens/blocklist?cursor=${head}&wait=1`, gatewayA);
    expect(quiet.body).toEqual({ changes: [], next_cursor: head });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const token = newToken();
    const [leakid] = (await call('POST', '/api/v1/leaks', adminA, { source: { name: 'paste' }, tokens: [{ value: token }] })).body.leakids;
    await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', adminA, { token }), (r) => r.body.leaked === true);
    const waiting = call('GET', `/api/v1/tokens/blocklist?cursor=${head}&wait=20`, gatewayA);
    const patchedAt = Date.now();
    await call('POST', '/api/v1/leaks/virtual-patch', adminA, { leakid, enabled: true });
    const woke = await waiting;
    expect(woke.body.changes).toEqual([expect.objectContaining({ leakid, blocked: true })]);
    expect(Date.now() - patchedAt).toBeLessThan(5_000);
    expect(await call('GET', '/api/v1/tokens/blocklist?wait=31', gatewayA)).toMatchObject({ status: 400 });
  }, 60_000);

  it('blocklist client: full sync, O(1) local checks, follows patches by long-poll, sends attempts back in batches', async () => {
    const early = newToken();
    const earlyLeak = await leak(adminA, early, true);
    const foreign = newToken();
    await leak(adminB, foreign, true);

    const errors: Error[] = [];
    const client = new BlocklistClient({ baseUrl: e2e.app.url, apiKey: gatewayA, waitSeconds: 5, flushIntervalMs: 100, onError: (e) => errors.push(e) });
    await client.start();
    try {
      expect(client.ready).toBe(true);
      expect(client.isBlocked(early)).toBe(true);
      expect(client.isBlocked(newToken())).toBe(false);
      expect(client.isBlocked(foreign)).toBe(false); // B's patch is not A's to enforce

      const late = newToken();
      const [lateLeak] = (await call('POST', '/api/v1/leaks', adminA, { source: { name: 'paste' }, tokens: [{ value: late }] })).body.leakids;
      await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', adminA, { token: late }), (r) => r.body.leaked === true);
      expect(client.isBlocked(late)).toBe(false);
      await call('POST', '/api/v1/leaks/virtual-patch', adminA, { leakid: lateLeak, enabled: true });
      await eventually('client.isBlockedSha256(sha256(late))', async () => client.isBlockedSha256(sha256(late)), (blocked) => blocked, { timeoutMs: 5_000 });

      await call('POST', '/api/v1/leaks/status', adminA, { leakid: earlyLeak, status: 'fixed' }); // removes the patch
      await eventually('client.isBlocked(early)', async () => client.isBlocked(early), (blocked) => !blocked, { timeoutMs: 5_000 });

      // Attempts seen by the client reach the leak's history.
      for (let i = 0; i < 3; i++) expect(client.isBlocked(late)).toBe(true);
      await eventually(`GET /api/v1/leaks/${lateLeak}/history`, () => call('GET', `/api/v1/leaks/${lateLeak}/history`, adminA), (r) => r.body.events.filter((e: { type: string }) => e.type === 'LeakedTokenUseAttempted').reduce((n: number, e: { data: { count?: number } }) => n + (e.data.count ?? 1), 0) >= 4);
    } finally {
      await client.stop();
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
