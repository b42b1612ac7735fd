/**
 * What every parser shares about secrets it must not leak and secrets it cannot see:
 * - scanners' masking conventions (gitleaks `--redact`, secretlint's `***`), so a masked value is
 *   never mistaken for a secret (hashing "REDACTED" would merge unrelated leaks into one);
 * - a stable identity for masked findings, so re-ingesting the same masked finding maps to the same leak;
 * - a location builder that drops anything that would carry the secret (a commit message or URL can).
 */
export type LocationValue = string | number | null | undefined;

/** gitleaks `--redact` writes `REDACTED` (`REDACT` in early v8), `--redact=N` keeps a prefix and appends `...`; secretlint writes `***`. */
export function isMaskedValue(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  if (v === 'REDACTED' || v === 'REDACT') return true;
  if (/^[*•]+$/.test(v)) return true;
  if (v.includes('***')) return true;
  return v.endsWith('...') || v.endsWith('…');
}

/**
 * `<tool>:<rule>:<file>:<line>[@<commit>][#<repository>]`: what stays the same when the same masked finding is
 * reported again. Deliberately the same for gitleaks JSON and gitleaks SARIF, so both formats land on one leak.
 */
export function maskedIdentityOf(tool: string, parts: { rule?: string; file?: string; line?: number; commit?: string; repository?: string }): string {
  let identity = `${tool}:${parts.rule ?? ''}:${parts.file ?? ''}:${parts.line ?? 0}`;
  if (parts.commit) identity += `@${parts.commit}`;
  if (parts.repository) identity += `#${parts.repository}`;
  return identity;
}

/**
 * Builds `RawFinding.location`: drops empty entries and any text that contains the secret (commit messages,
 * links with tokens in query strings...). Returns null when nothing is left.
 */
export function buildLocation(entries: Record<string, LocationValue>, secret: string | null): Record<string, string | number> | null {
  const location: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string' && secret && value.includes(secret)) continue;
    location[key] = value;
  }
  return Object.keys(location).length > 0 ? location : null;
}

/** A URL or path is kept as `source.url` only if it cannot carry the secret. */
export function safeUrl(url: string | undefined, secret: string | null): string | undefined {
  if (!url) return undefined;
  if (secret && url.includes(secret)) return undefined;
  return url;
}

/** `Jane Doe <jane@example.com>` (git's author format, as TruffleHog writes it) → name and address. */
export function splitAuthor(value: string | undefined): { author?: string; email?: string } {
  if (!value) return {};
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (match) return { author: match[1] || undefined, email: match[2] };
  if (/^[^\s@]+@[^\s@]+$/.test(value.trim())) return { email: value.trim() };
  return { author: value };
}
