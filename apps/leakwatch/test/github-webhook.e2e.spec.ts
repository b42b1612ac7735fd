/**
 * GitHub secret-scanning webhooks over real HTTP: signed per organisation, alerts become leaks, and
 * GitHub's resolve/reopen become status decisions in the leak's history.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../../libs/ingest/domain/test/fixtures', name), 'utf8');

describe('GitHub secret-scanning webhook (e2e)', () => {
  let e2e: E2e;
  let admin: string;
  let org: string;
  let secret: string;

  const api: E2e['call'] = (...args) => e2e.call(...args);
  const deliver = async (payload: string, options: { signWith?: string; event?: string; orgId?: string } = {}) => {
    const signature = `sha256=${createHmac('sha256', options.signWith ?? secret).update(payload).digest('hex')}`;
    const response = await fetch(`${e2e.app.url}/api/v1/ingest/github?org_id=${options.orgId ?? org}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': options.event ?? 'secret_scanning_alert', 'x-hub-signature-256': signature },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    e2e = await startE2e();
    org = (await api('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' })).body.org_id;
    admin = (await api('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'sec', role: 'admin', org_id: org })).body.key;
    const created = await api('POST', '/api/v1/ingest/github/secret', admin);
    expect(created).toMatchObject({ status: 201, body: { org_id: org, secret: expect.any(String), webhook_path: `/api/v1/ingest/github?org_id=${org}` } });
    secret = created.body.secret;
  }, 90_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  it('refuses unsigned, wrongly signed or foreign-org deliveries with one 401', async () => {
    const payload = fixture('github-alert-created.json');
    expect((await deliver(payload, { signWith: 'not-the-secret' })).status).toBe(401);
    expect((await deliver(payload, { orgId: '2b0f7a52-9a0c-4d43-a7a0-5d4ef43e8d10' })).status).toBe(401);
    const unsigned = await fetch(`${e2e.app.url}/api/v1/ingest/github?org_id=${org}`, { method: 'POST', headers: { 'x-github-event': 'secret_scanning_alert' }, body: payload });
    expect(unsigned.status).toBe(401);
    expect((await deliver('{}', { event: 'ping' })).status).toBe(202);
    expect((await deliver('{"action":"created"}')).status).toBe(400);
  });

  it('created → a leak; resolved as revoked → fixed; reopened → open', async () => {
    const created = await deliver(fixture('github-alert-created.json'));
    expect(created).toMatchObject({ status: 202, body: { action: 'created', leakid: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    const leakid = created.body.leakid;
    await eventually(`GET /api/v1/leaks/${leakid}`, async () => (await api('GET', `/api/v1/leaks/${leakid}`, admin)).status === 200, (ok) => ok);
    expect((await api('GET', `/api/v1/leaks/${leakid}`, admin)).body).toMatchObject({ status: 'open', sources: ['github'], blockable: false });

    const resolved = await deliver(fixture('github-alert-resolved.json'));
    expect(resolved.body).toMatchObject({ action: 'resolved', leakid, status: 'fixed' });
    await eventually(`GET /api/v1/leaks/${leakid}`, async () => (await api('GET', `/api/v1/leaks/${leakid}`, admin)).body.status === 'fixed', (ok) => ok);

    const reopenedPayload = JSON.stringify({ ...JSON.parse(fixture('github-alert-resolved.json')), action: 'reopened' });
    expect((await deliver(reopenedPayload)).body).toMatchObject({ action: 'reopened', leakid, status: 'open' });
    await eventually(`GET /api/v1/leaks/${leakid}`, async () => (await api('GET', `/api/v1/leaks/${leakid}`, admin)).body.status === 'open', (ok) => ok);
    const history = (await api('GET', `/api/v1/leaks/${leakid}/history`, admin)).body.events;
    expect(history.filter((e: { type: string }) => e.type === 'LeakStatusChanged').map((e: { data: { comment: string } }) => e.data.comment)).toEqual([
      'github: revoked',
      'github: reopened',
    ]);
  });

  it('an alert carrying the secret becomes a blockable leak', async () => {
    const delivered = await deliver(fixture('github-alert-validated-with-secret.json'));
    expect(delivered.status).toBe(202);
    await eventually(`GET /api/v1/leaks/${delivered.body.leakid}`, async () => (await api('GET', `/api/v1/leaks/${delivered.body.leakid}`, admin)).status === 200, (ok) => ok);
    expect((await api('GET', `/api/v1/leaks/${delivered.body.leakid}`, admin)).body).toMatchObject({ blockable: true, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(e2e.app.output()).not.toContain(secret);
  });
});
