/**
 * The gateway hot path over real HTTP: a patched token is reported blocked, the attempt shows in the
 * leak's history, and gateways can page through blocklist changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { eventually } from '@leakwatch/testing';
import { E2e, startE2e } from './support/e2e-harness';

describe('token check (e2e)', () => {
  let e2e: E2e;
  let admin: string;
  const call: E2e['call'] = (...args) => e2e.call(...args);

  beforeAll(async () => {
    e2e = await startE2e();
    admin = (await e2e.organisation('Acme', { sec: { role: 'admin' } })).keys.sec;
  }, 90_000);
  afterAll(async () => e2e?.stop());

  it('knows leaked tokens, blocks patched ones, and records blocked attempts in the leak history', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const sha256 = createHash('sha256').update(token).digest('hex');
    const added = await call('POST', '/api/v1/leaks', admin, { source: { name: 'pastebin' }, tokens: [{ value: token }] });
    const [leakid] = added.body.leakids;

    expect(await call('POST', '/api/v1/tokens/check', admin, { token: `ghp_${randomBytes(18).toString('hex')}` })).toMatchObject({ status: 200, body: { leaked: false, blocked: false } });
    await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', admin, { token }), (r) => r.body.leaked === true);
    expect((await call('POST', '/api/v1/tokens/check', admin, { sha256 })).body).toEqual({ leaked: true, blocked: false, leakid });

    const cursor = (await call('GET', '/api/v1/tokens/blocklist', admin)).body.next_cursor;
    await eventually(`GET /api/v1/leaks/${leakid}`, () => call('GET', `/api/v1/leaks/${leakid}`, admin), (r) => r.status === 200);
    expect((await call('POST', '/api/v1/leaks/virtual-patch', admin, { leakid, enabled: true })).status).toBe(200);
    await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', admin, { token }), (r) => r.body.blocked === true);

    const changes = await call('GET', `/api/v1/tokens/blocklist?cursor=${cursor}`, admin);
    expect(changes.body.changes).toEqual([expect.objectContaining({ sha256, leakid, blocked: true })]);

    const history = await eventually(`GET /api/v1/leaks/${leakid}/history`, () => call('GET', `/api/v1/leaks/${leakid}/history`, admin), (r) => r.body.events.some((e: { type: string }) => e.type === 'LeakedTokenUseAttempted'));
    expect(history.body.events.find((e: { type: string }) => e.type === 'LeakedTokenUseAttempted').data).toMatchObject({ leakid, blocked: true });
    // The history reads the stream; the leak's `attempts` comes from its read model, which follows.
    await eventually('the read model counts the attempt', () => call('GET', `/api/v1/leaks/${leakid}`, admin), (r) => r.body.attempts >= 1);

    await call('POST', '/api/v1/leaks/status', admin, { leakid, status: 'fixed' });
    await eventually('POST /api/v1/tokens/check', () => call('POST', '/api/v1/tokens/check', admin, { token }), (r) => r.body.blocked === false);
    expect(e2e.app.output()).not.toContain(token);
  }, 60_000);

  it('refuses a malformed check', async () => {
    expect(await call('POST', '/api/v1/tokens/check', admin, {})).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/v1/tokens/check', admin, { token: 'a', sha256: 'b'.repeat(64) })).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/v1/tokens/check', admin, { sha256: 'XYZ' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/api/v1/tokens/check', undefined, { token: 'a' })).toMatchObject({ status: 401 });
    expect(await call('GET', '/api/v1/tokens/blocklist?cursor=-1', admin)).toMatchObject({ status: 400 });
  });
});
