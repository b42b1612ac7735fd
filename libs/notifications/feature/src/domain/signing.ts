/**
 * Signatures of outbound webhooks, as the Standard Webhooks specification (standardwebhooks.com) defines them,
 * so receivers can use its libraries: headers `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`. The timestamp is signed,
 * so a captured delivery cannot be replayed later than the receiver's tolerance. Secrets are `whsec_<base64>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signedHeaders(secret: string, id: string, timestamp: number, body: string): SignedHeaders {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, id, timestamp, body) };
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing-headers' | 'stale-timestamp' | 'bad-signature' };

/**
 * What a receiver does: the timestamp within `toleranceSeconds` of `now`, and one of the space-separated
 * `v1,` signatures equal to ours — compared in constant time.
 */
export function verify(
  secret: string,
  headers: Partial<Record<keyof SignedHeaders, string | undefined>>,
  body: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): VerifyResult {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  const signatures = headers['webhook-signature'];
  if (!id || !signatures || !Number.isInteger(timestamp)) return { ok: false, reason: 'missing-headers' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale-timestamp' };
  const expected = Buffer.from(sign(secret, id, timestamp, body));
  for (const candidate of signatures.split(' ')) {
    const given = Buffer.from(candidate);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'bad-signature' };
}
