/**
 * The pure parts of outbound notifications: Standard Webhooks signatures (what a receiver verifies), the
 * retry schedule, and the two body formats — the CloudEvent read back by the official CloudEvents SDK.
 */
import { HTTP } from 'cloudevents';
import { isRetryable, LeakNotification, MAX_DELAY_MS, newSigningSecret, renderBody, retryDelayMs, sign, signedHeaders, toSlackMessage, verify } from '../src/domain';

const secret = newSigningSecret();
const body = '{"hello":"world"}';
const now = 1_767_000_000;

describe('webhook signatures (Standard Webhooks)', () => {
  it('a receiver verifies what we signed, within the tolerance', () => {
    const headers = signedHeaders(secret, 'msg_1', now, body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verify(secret, headers, body, { now: now + 10 })).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, a replay outside the tolerance, missing headers', () => {
    const headers = signedHeaders(secret, 'msg_1', now, body);
    expect(verify(secret, headers, body.replace('world', 'w0rld'), { now })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(newSigningSecret(), headers, body, { now })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(secret, { ...headers, 'webhook-id': 'msg_2' }, body, { now })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(secret, headers, body, { now: now + 301 })).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verify(secret, { ...headers, 'webhook-timestamp': String(now - 10) }, body, { now })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(secret, { 'webhook-id': 'msg_1' }, body, { now })).toEqual({ ok: false, reason: 'missing-headers' });
  });

  it('accepts any of several signatures (secret rotation on the receiver side)', () => {
    const headers = signedHeaders(secret, 'msg_1', now, body);
    expect(verify(secret, { ...headers, 'webhook-signature': `v1,bm90LWl0 ${headers['webhook-signature']}` }, body, { now })).toEqual({ ok: true });
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the specification's test suite (standard-webhooks/libraries).
    const reference = sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(reference).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('retry schedule', () => {
  it('doubles from the base, with at most 10 % jitter, capped at six hours', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(2, 1000, () => 0.999)).toBeLessThanOrEqual(2200);
    expect(retryDelayMs(40, 1000, () => 0)).toBe(MAX_DELAY_MS);
  });

  it('retries network errors, 408, 429 and 5xx; not other answers', () => {
    expect([undefined, 408, 429, 500, 503].map(isRetryable)).toEqual([true, true, true, true, true]);
    expect([400, 401, 404, 410, 422].map(isRetryable)).toEqual([false, false, false, false, false]);
  });
});

describe('notification bodies', () => {
  const notification: LeakNotification = {
    eventId: '0b7e6a8c-3f0e-4d8a-9b61-7d2e5c4f3a21', type: 'LeakDetected', leakid: 'b3652f2555841f7652badd9804859f4e', orgId: 'org-1', time: '2026-12-07T01:00:00.000Z',
    data: { leakid: 'b3652f2555841f7652badd9804859f4e', kind: 'credential', fingerprint: 'e'.repeat(64), preview: '…(11)', risk: 'high', secret_type: 'password', source: { name: 'breach' }, detected_at: '2026-12-07T01:00:00.000Z' },
  };

  it('a structured CloudEvent the official SDK reads, without a password hash', () => {
    const { contentType, body: json } = renderBody('cloudevents', notification);
    const event = HTTP.toEvent({ headers: { 'content-type': contentType }, body: json }) as unknown as { id: string; type: string; subject: string; source: string; specversion: string; data: Record<string, unknown> };
    expect(event).toMatchObject({ specversion: '1.0', id: notification.eventId, type: 'LeakDetected', subject: notification.leakid, source: 'leakwatch/leak-lifecycle' });
    expect(event.data).toMatchObject({ leakid: notification.leakid, org_id: 'org-1', fingerprint: null });
  });

  it('a Slack message that names the leak and what happened', () => {
    expect(toSlackMessage(notification).text).toBe(':rotating_light: New high credential (password, …(11)) from breach: leak `b3652f2555841f7652badd9804859f4e`');
    expect(toSlackMessage({ ...notification, type: 'LeakStatusChanged', data: { from: 'open', to: 'fixed', comment: 'rotated' } }).text).toMatch(/open → \*fixed\* \(rotated\)/);
    expect(JSON.parse(renderBody('slack', notification).body)).toEqual({ text: expect.any(String) });
  });
});
