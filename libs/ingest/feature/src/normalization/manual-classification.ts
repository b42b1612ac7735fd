/**
 * Type and risk of manually added secrets until the scanner-report rules (libs/ingest/domain) take over:
 * well-known token prefixes, and a conservative risk by type.
 */
const PREFIXES: Array<[RegExp, string]> = [
  [/^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}$|^github_pat_/, 'github-pat'],
  [/^(AKIA|ASIA)[A-Z0-9]{16}$/, 'aws-access-key'],
  [/^xox[abpr]-/, 'slack-token'],
  [/^(sk|rk)_live_/, 'stripe-secret-key'],
  [/^AIza[0-9A-Za-z_-]{35}$/, 'google-api-key'],
  [/^glpat-/, 'gitlab-pat'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private-key'],
];

export function manualTokenType(value: string): string {
  return PREFIXES.find(([pattern]) => pattern.test(value))?.[1] ?? 'generic-secret';
}

const CRITICAL = new Set(['github-pat', 'aws-access-key', 'stripe-secret-key', 'gitlab-pat', 'private-key']);

export function manualRisk(kind: 'token' | 'credential', secretType: string): 'critical' | 'high' | 'medium' | 'low' {
  if (kind === 'credential') return 'high';
  if (CRITICAL.has(secretType)) return 'critical';
  return secretType === 'generic-secret' ? 'medium' : 'high';
}
