/**
 * GitHub webhooks as GitHub delivers them, over real HTTP against `npm start`'s process:
 * - issue 10.1: a delivery id seen before is a 2xx no-op that says so — three times, after the alert was
 *   resolved (a redelivered `created` must not reopen the fixed leak), and after a restart;
 * - issue 10.2: `assigned`, `unassigned`, `publicly_leaked` answer 2xx `ignored`; `reopened`/`resolved` of an
 *   alert never seen answer `unknown alert` and store nothing;
 * - issue 15.10: the webhook secret is encrypted with a key file generated beside (not in) the data directory,
 *   and still verifies after a restart.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../../libs/ingest/domain/test/fixtures', name), 'utf8');
const withAction = (name: string, action: string, alert: object = {}) => {
  const payload = JSON.parse(fixture(name));
  return JSON.stringify({ ...payload, action, alert: { ...payload.alert, ...alert } });
};

describe('GitHub deliveries (e2e)', () => {
  let e2e: E2e;
  let admin: string;
  let org: string;
  let secret: string;
  const api: E2e['call'] = (...args) => e2e.call(...args);

  const deliver = async (payload: string, delivery: string | undefined) => {
    const response = await fetch(`${e2e.app.url}/api/v1/ingest/github?org_id=${org}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'secret_scanning_alert',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`,
        ...(delivery ? { 'x-github-delivery': delivery } : {}),
      },
      body: payload,
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary answer shapes
    return { status: response.status, body: (await response.json()) as any };
  };
  /** Every finding stored before this one has reached the leak read model once this one has (one ordered consumer). */
  const barrier = async () => {
    const added = await api('POST', '/api/v1/leaks', admin, { source: { name: 'barrier' }, tokens: [{ value: `ghp_${randomUUID().replace(/-/g, '')}0000` }] });
    await eventually(`GET /api/v1/leaks/${added.body.leakids[0]}`, async () => (await api('GET', `/api/v1/leaks/${added.body.leakids[0]}`, admin)).status === 200, (ok) => ok);
  };
  const history = async (leakid: string) => ((await api('GET', `/api/v1/leaks/${leakid}/history`, admin)).body.events as Array<{ type: string }>).map((e) => e.type);

  beforeAll(async () => {
    e2e = await startE2e();
    org = (await api('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' })).body.org_id;
    admin = (await api('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'sec', role: 'admin', org_id: org })).body.key;
    secret = (await api('POST', '/api/v1/ingest/github/secret', admin)).body.secret;
  }, 90_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  it('keeps the secrets key in a file beside the data directory, readable only by its owner (issue 15.10)', () => {
    const keyFile = `${e2e.app.dataDir}-secrets.key`;
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(e2e.app.output()).toContain(`generated the secrets key file ${keyFile}`);
  });

  it('handles each delivery id once, also after the alert was resolved and after a restart (issue 10.1)', async () => {
    const created = fixture('github-alert-created.json');
    const createdDelivery = randomUUID();
    const first = await deliver(created, createdDelivery);
    expect(first).toMatchObject({ status: 202, body: { action: 'created', leakid: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect(first.body.duplicate_delivery).toBeUndefined();
    const leakid = first.body.leakid;
    for (let i = 0; i < 2; i++) {
      expect(await deliver(created, createdDelivery)).toMatchObject({ status: 200, body: { duplicate_delivery: true, delivery_id: createdDelivery, leakid, action: 'created' } });
    }
    await barrier();
    expect(await history(leakid)).toEqual(['LeakDetected']);

    expect((await deliver(fixture('github-alert-resolved.json'), randomUUID())).body).toMatchObject({ status: 'fixed', leakid });
    await eventually(`GET /api/v1/leaks/${leakid}`, async () => (await api('GET', `/api/v1/leaks/${leakid}`, admin)).body.status === 'fixed', (ok) => ok);
    // GitHub redelivers the old `created` (a timeout, a click on "Redeliver"): the fixed leak stays fixed.
    expect(await deliver(created, createdDelivery)).toMatchObject({ status: 200, body: { duplicate_delivery: true } });
    // The same event under a delivery id never seen (e.g. sent before ids were kept): still no new sighting.
    expect(await deliver(created, randomUUID())).toMatchObject({ status: 202, body: { status: 'known alert', leakid } });
    await barrier();
    expect((await api('GET', `/api/v1/leaks/${leakid}`, admin)).body).toMatchObject({ status: 'fixed', sightings: 1 });
    expect(await history(leakid)).toEqual(['LeakDetected', 'LeakStatusChanged']);

    // Durable: the delivery log and the webhook secret's key survive a restart.
    await e2e.restart();
    expect(await deliver(created, createdDelivery)).toMatchObject({ status: 200, body: { duplicate_delivery: true, leakid } });
    expect(e2e.app.output()).not.toContain('generated the secrets key file');
  }, 90_000);

  it('acknowledges actions that change nothing, and says when an alert is unknown (issue 10.2)', async () => {
    for (const action of ['assigned', 'unassigned', 'publicly_leaked']) {
      expect(await deliver(withAction('github-alert-created.json', action), randomUUID())).toMatchObject({ status: 202, body: { action, status: 'ignored', reason: expect.any(String) } });
    }
    const before = (await api('GET', '/api/v1/leaks?source=github', admin)).body.total;
    for (const action of ['reopened', 'resolved']) {
      const answer = await deliver(withAction('github-alert-resolved.json', action, { number: 9001 }), randomUUID());
      expect(answer).toMatchObject({ status: 202, body: { action, status: 'unknown alert', alert_number: 9001 } });
      expect(answer.body.leakid).toBeUndefined();
    }
    await barrier();
    expect((await api('GET', '/api/v1/leaks?source=github', admin)).body.total).toBe(before);
  });

  it('refuses a delivery id that is no GUID, naming the header', async () => {
    const answer = await deliver(fixture('github-alert-created.json'), 'x'.repeat(101));
    expect(answer).toMatchObject({ status: 400, body: { errors: [{ field: 'X-GitHub-Delivery' }] } });
  });
});
