/**
 * Risk of a leak from what the secret opens, whether the scanner proved it works, and where it was exposed.
 * The rules table (also in README.md):
 *
 * | step | rule |
 * |---|---|
 * | base | `kind: credential` (identity + password from a breach/stealer log) → high |
 * | base | cloud/provider keys (`aws-*`, `gcp-*`, `google-api-key`, `azure-*`, `alibaba-*`, `digitalocean-*`), VCS tokens (`github-pat`, `gitlab-pat`, `bitbucket-*`), `private-key`, payment keys (`stripe-secret-key`, `paypal-*`, `braintree-*`, `square-*`), package-registry tokens (`npm-token`, `pypi-token`), `database-connection-string` → high |
 * | base | generic secrets (`generic-secret`, `generic-api-key`, `password`) → low |
 * | base | any other named type (`slack-token`, `slack-webhook`, `jwt`, `sendgrid-api-key`, ...) → medium |
 * | +1 | `verified: true` (TruffleHog Verified, GitHub validity `active`) |
 * | +1 | `exposure: public` (public repository, paste site, public package) |
 * | cap | never above critical; `verified: false`/`null` and `private`/`unknown` exposure never lower it (an unverified secret may still work) |
 */
import { RISKS, Risk } from '@leakwatch/contracts';

export type { Risk } from '@leakwatch/contracts';
import { isGenericSecretType } from './secret-type';
import { FindingKind, RawFinding } from './raw-finding';

export type Exposure = 'public' | 'private' | 'unknown';

/** Ascending, so a risk can be raised by index. */
export const RISK_LEVELS: readonly Risk[] = [...RISKS].reverse();

export interface RiskInput {
  secretType: string;
  kind: FindingKind;
  verified: boolean | null;
  exposure: Exposure;
}

/** Types whose leak hands over infrastructure, code, signing identity, money or the supply chain. */
const HIGH_BASE_TYPES: readonly RegExp[] = [
  /^(?:aws|gcp|azure|alibaba|digitalocean)(?:-|$)/, /^google-api-key$/,
  /^(?:github-pat|gitlab-pat)$/, /^bitbucket(?:-|$)/,
  /^private-key$/,
  /^stripe-secret-key$/, /^(?:paypal|braintree|square)(?:-|$)/,
  /^(?:npm-token|pypi-token)$/,
  /^database-connection-string$/,
];

export function baseRisk(secretType: string, kind: FindingKind): Risk {
  if (kind === 'credential') return 'high';
  if (HIGH_BASE_TYPES.some((pattern) => pattern.test(secretType))) return 'high';
  if (isGenericSecretType(secretType)) return 'low';
  return 'medium';
}

export function riskFor(input: RiskInput): Risk {
  let level = RISK_LEVELS.indexOf(baseRisk(input.secretType, input.kind));
  if (input.verified === true) level += 1;
  if (input.exposure === 'public') level += 1;
  return RISK_LEVELS[Math.min(level, RISK_LEVELS.length - 1)];
}

/**
 * Exposure as far as the finding itself tells (`location.visibility`, set from GitHub's `repository.private`
 * and TruffleHog's source visibility). The ingest service may know better (e.g. the org's repository list).
 */
export function exposureOf(finding: Pick<RawFinding, 'location'>): Exposure {
  const visibility = finding.location?.['visibility'];
  if (visibility === 'public') return 'public';
  if (visibility === 'private' || visibility === 'shared') return 'private';
  return 'unknown';
}
