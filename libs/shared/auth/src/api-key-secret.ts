/**
 * API key material. Keys are 256-bit random values, so a plain SHA-256 is a safe verifier (no password
 * stretching needed) and lets every service look a presented key up by hash in O(1).
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@leakwatch/contracts';

export const API_KEY_PREFIX = 'lw_';

export interface NewApiKeySecret {
  /** Shown to the client exactly once. */
  key: string;
  /** What is stored and published. */
  hash: string;
  /** Safe to display: identifies the key without revealing it. */
  prefix: string;
}

export function generateApiKey(): NewApiKeySecret {
  return apiKeyMaterial(`${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`);
}

/** Hash and display prefix of a given key (e.g. the operator-chosen bootstrap key). */
export function apiKeyMaterial(key: string): NewApiKeySecret {
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX.length + 8) };
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** `X-API-Key: <key>` or `Authorization: Bearer <key>`; undefined when neither is present. */
export function extractApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['x-api-key'];
  const direct = Array.isArray(header) ? header[0] : header;
  if (direct?.trim()) return direct.trim();
  const authorization = headers.authorization;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}
