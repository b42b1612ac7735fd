/**
 * From a raw finding (plaintext secret in memory only) to the stored/published `FindingReceived`:
 * - leakid = HMAC-MD5(key, owner ‖ kind ‖ material): 32 hex, stable for the same secret and owner
 *   (re-ingest is a sighting), and without the key no one can test guesses of a secret offline;
 * - fingerprint = SHA-256 of a token (gateways match presented tokens by it), null if masked; a
 *   credential's password gets none (a plain hash of a password is cracked offline; its leak id is
 *   already the keyed hash that tells a re-ingest from a new leak);
 * - preview = at most the first 4 characters and the length — never enough to use the secret.
 * The plaintext goes no further than this function.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { secretFingerprint } from '@leakwatch/contracts';
import { hostOfUrl } from '@leakwatch/authz';
import type { FindingReceivedV1 } from '@leakwatch/contracts';

export type Risk = FindingReceivedV1['risk'];

export interface FindingInput {
  kind: 'token' | 'credential';
  secret: string | null;
  secretType: string;
  identity?: { email?: string | null; username?: string | null } | null;
  site?: { url?: string | null; domain?: string | null } | null;
  location?: Record<string, unknown> | null;
  source: { name: string; url?: string | null };
  /** Identity of a masked finding (scanner hid the secret). */
  maskedIdentity?: string | null;
  risk: Risk;
}

export function normalizeFinding(input: FindingInput, context: { key: Buffer; orgId: string | null; at: string; batchId?: string }): FindingReceivedV1 {
  const email = input.identity?.email?.trim().toLowerCase() || null;
  const username = input.identity?.username?.trim() || null;
  const siteUrl = input.site?.url?.trim() || null;
  const siteDomain = (input.site?.domain?.trim().toLowerCase() || hostOfUrl(siteUrl ?? undefined)) ?? null;
  const material =
    input.kind === 'credential'
      ? [email ?? username ?? '', input.secret ?? input.maskedIdentity ?? '', siteDomain ?? ''].join('\u0000')
      : (input.secret ?? `masked:${input.maskedIdentity ?? ''}`);
  const owner = context.orgId ?? 'platform';
  return {
    finding_id: randomUUID(),
    leakid: createHmac('md5', context.key).update(`${owner}\u0000${input.kind}\u0000${material}`).digest('hex'),
    kind: input.kind,
    secret_type: input.secretType,
    fingerprint: input.kind === 'token' && input.secret ? secretFingerprint(input.secret) : null,
    preview: preview(input.kind, input.secret),
    identity: email || username ? { email, username } : null,
    site: siteUrl || siteDomain ? { url: siteUrl, domain: siteDomain } : null,
    org_id: context.orgId,
    source: { name: input.source.name, url: input.source.url ?? null },
    risk: input.risk,
    blockable: input.kind === 'token' && !!input.secret,
    location: input.location ?? null,
    found_at: context.at,
    batch_id: context.batchId ?? null,
  };
}

export function preview(kind: 'token' | 'credential', secret: string | null): string {
  if (secret === null) return '(masked by scanner)';
  // Passwords show nothing but their length; tokens their (usually public) type prefix when long enough.
  if (kind === 'credential' || secret.length < 16) return `…(${secret.length})`;
  return `${secret.slice(0, 4)}…(${secret.length})`;
}
