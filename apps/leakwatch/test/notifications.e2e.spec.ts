/**
 * Outbound notifications (issue 13.3) over real HTTP, against `npm start`'s process and a local receiver:
 * an organisation's leak events arrive as signed CloudEvents (Standard Webhooks signature, read by the official
 * CloudEvents SDK) or Slack messages; failures are retried with backoff; the delivery log says what happened;
 * a delivery is redelivered by id; URLs on non-public addresses are refused (the domain verification's SSRF
 * policy; only 127.0.0.1 is allowed here, as a test exception); another organisation sees nothing.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { HTTP } from 'cloudevents';
import { verifyWebhookSignature } from '@leakwatch/notifications/feature';
import { E2e, startE2e } from './support/e2e-harness';
import { eventuallyDefined } from '@leakwatch/testing';

const RETRY_BASE_MS = 200;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

describe('outbound notifications (e2e)', () => {
  let e2e: E2e;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  /** Answers for the next requests to a path (then 200). */
  const scripted = new Map<string, number[]>();
  let adminA: string, analystA: string, adminB: string;
  const api: E2e['call'] = (...args) => e2e.call(...args);

  const arrivals = (path: string, type?: string) => received.filter((r) => r.path === path && (!type || JSON.parse(r.body).type === type));
  const addToken = async (key: string) => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const added = await api('POST', '/api/v1/leaks', key, { source: { name: 'pastebin' }, tokens: [{ value: token }] });
    expect(added.status).toBe(201);
    return { token, leakid: added.body.leakids[0] as string };
  };
  const subscribe = async (key: string, path: string, body: object = {}) => {
    const created = await api('POST', '/api/v1/notifications/subscriptions', key, { url: `${receiverUrl}${path}`, ...body });
    expect(created).toMatchObject({ status: 201, body: { id: expect.any(String), secret: expect.stringMatching(/^whsec_/) } });
    return created.body as { id: string; secret: string };
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
        const queue = scripted.get(req.url ?? '');
        res.statusCode = queue?.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    e2e = await startE2e({
      LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES: '127.0.0.1',
      LEAKWATCH_NOTIFY_ALLOW_HTTP: 'true',
      LEAKWATCH_NOTIFY_RETRY_BASE_MS: String(RETRY_BASE_MS),
      LEAKWATCH_NOTIFY_MAX_ATTEMPTS: '3',
    });
    const acme = await e2e.organisation('Acme', { admin: { role: 'admin' }, analyst: { role: 'analyst' } });
    const bravo = await e2e.organisation('Bravo', { admin: { role: 'admin' } });
    [adminA, analystA, adminB] = [acme.keys.admin, acme.keys.analyst, bravo.keys.admin];
  }, 90_000);
  afterAll(async () => {
    await e2e?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('delivers the organisation’s leak events as signed CloudEvents, and nothing of another organisation', async () => {
    const { id, secret } = await subscribe(adminA, '/siem');
    const other = await addToken(adminB); // org B's leak: not for org A's subscription
    const { token, leakid } = await addToken(adminA);
    const detected = await eventuallyDefined('LeakDetected at the receiver', async () => arrivals('/siem', 'LeakDetected')[0]);

    expect(verifyWebhookSignature(secret, detected.headers as Record<string, string>, detected.body)).toEqual({ ok: true });
    expect(detected.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const event = HTTP.toEvent({ headers: detected.headers, body: detected.body }) as unknown as { type: string; subject: string; data: Record<string, unknown> };
    expect(event).toMatchObject({ type: 'LeakDetected', subject: leakid, data: { leakid, kind: 'token', preview: expect.stringMatching(/^ghp_/) } });
    expect(detected.body).not.toContain(token);

    expect((await api('POST', '/api/v1/leaks/status', adminA, { leakid, status: 'fixed', comment: 'rotated' })).status).toBe(200);
    const changed = await eventuallyDefined('LeakStatusChanged at the receiver', async () => arrivals('/siem', 'LeakStatusChanged')[0]);
    expect(JSON.parse(changed.body).data).toMatchObject({ leakid, from: 'open', to: 'fixed' });

    const log = (await api('GET', `/api/v1/notifications/subscriptions/${id}/deliveries`, analystA)).body.items;
    expect(log.map((d: { event_type: string; status: string; attempts: number }) => [d.event_type, d.status, d.attempts])).toEqual([
      ['LeakStatusChanged', 'delivered', 1],
      ['LeakDetected', 'delivered', 1],
    ]);
    expect(received.some((r) => r.body.includes(other.leakid))).toBe(false);
  });

  it('retries a failing receiver with growing waits, and records every attempt', async () => {
    scripted.set('/flaky', [503, 500]);
    const { id } = await subscribe(adminA, '/flaky', { event_types: ['LeakDetected'] });
    const { leakid } = await addToken(adminA);
    const delivered = await eventuallyDefined('the delivery to succeed', async () => {
      const items = (await api('GET', `/api/v1/notifications/subscriptions/${id}/deliveries?status=delivered`, adminA)).body.items;
      return items.length ? items[0] : undefined;
    });
    expect(delivered).toMatchObject({ leakid, attempts: 3, last_status_code: 200, last_error: null });
    const tries = arrivals('/flaky');
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.headers['webhook-id'])).size).toBe(1); // one message, three attempts
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(RETRY_BASE_MS);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(2 * RETRY_BASE_MS);
  });

  it('gives up on an answer retrying will not change, then redelivers by id', async () => {
    scripted.set('/strict', [400]);
    const { id } = await subscribe(adminA, '/strict', { event_types: ['LeakDetected'] });
    await addToken(adminA);
    const failed = await eventuallyDefined('the delivery to fail', async () => {
      const items = (await api('GET', `/api/v1/notifications/subscriptions/${id}/deliveries?status=failed`, adminA)).body.items;
      return items.length ? items[0] : undefined;
    });
    expect(failed).toMatchObject({ attempts: 1, last_status_code: 400, last_error: 'answered 400', next_attempt_at: null });

    expect((await api('POST', `/api/v1/notifications/subscriptions/${id}/deliveries/${failed.id}/redeliver`, analystA)).status).toBe(403);
    expect((await api('POST', `/api/v1/notifications/subscriptions/${id}/deliveries/${failed.id}/redeliver`, adminA)).status).toBe(202);
    const again = await eventuallyDefined('the redelivery', async () => {
      const d = (await api('GET', `/api/v1/notifications/subscriptions/${id}/deliveries?status=delivered`, adminA)).body.items[0];
      return d;
    });
    expect(again).toMatchObject({ id: failed.id, attempts: 2, last_status_code: 200 });
    const both = arrivals('/strict');
    expect(both).toHaveLength(2);
    expect(both[1].headers['webhook-id']).toBe(both[0].headers['webhook-id']);
  });

  it('speaks Slack’s incoming-webhook format', async () => {
    await subscribe(adminA, '/slack', { format: 'slack', event_types: ['LeakDetected'] });
    const { leakid } = await addToken(adminA);
    const message = await eventuallyDefined('the Slack message', async () => arrivals('/slack').find((r) => r.body.includes(leakid)));
    expect(JSON.parse(message.body)).toEqual({ text: expect.stringContaining(leakid) });
  });

  it('refuses URLs that are not https on a public address, naming the field', async () => {
    for (const url of ['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/x', 'ftp://127.0.0.1/x', 'http://user:pw@127.0.0.1/x', 'not a url']) {
      const answer = await api('POST', '/api/v1/notifications/subscriptions', adminA, { url });
      expect([url, answer.status, answer.body.errors?.[0]?.field]).toEqual([url, 400, 'url']);
    }
  });

  it('keeps subscriptions to their organisation; analysts read, admins change', async () => {
    const { id } = await subscribe(adminA, '/private');
    expect((await api('GET', `/api/v1/notifications/subscriptions/${id}`, adminB)).status).toBe(404);
    expect((await api('DELETE', `/api/v1/notifications/subscriptions/${id}`, adminB)).status).toBe(404);
    expect((await api('GET', '/api/v1/notifications/subscriptions', adminB)).body.items).toEqual([]);
    const listed = (await api('GET', '/api/v1/notifications/subscriptions', analystA)).body.items;
    expect(listed.map((s: { id: string }) => s.id)).toContain(id);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect((await api('POST', '/api/v1/notifications/subscriptions', analystA, { url: `${receiverUrl}/x` })).status).toBe(403);
    expect((await api('DELETE', `/api/v1/notifications/subscriptions/${id}`, adminA)).body).toEqual({ id, deleted: true });
    expect((await api('GET', `/api/v1/notifications/subscriptions/${id}`, adminA)).status).toBe(404);
  });
});
