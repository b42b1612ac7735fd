/**
 * One vocabulary of secret types (lowercase kebab) for every source: the risk rules, filters and charts
 * depend on `github-pat` meaning the same thing whether gitleaks, TruffleHog, secretlint or GitHub found it.
 * - `detectTokenType`: what a bare value is, by the providers' documented prefixes (manual adds).
 * - `normaliseSecretType`: a scanner's rule id / detector name → the vocabulary.
 */

export const GENERIC_SECRET = 'generic-secret';

/** Order matters: the first match wins (a private key block may contain anything). */
const TOKEN_PREFIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/, 'private-key'],
  [/^(?:gh[pousr]_[A-Za-z0-9]|github_pat_[A-Za-z0-9])/, 'github-pat'],
  [/^(?:AKIA|ASIA)[A-Z0-9]{12,}$/, 'aws-access-key'],
  [/^xox[abpr]-/, 'slack-token'],
  [/^https:\/\/hooks\.slack\.com\/(?:services|workflows)\//, 'slack-webhook'],
  [/^(?:sk|rk)_live_/, 'stripe-secret-key'],
  [/^AIza[0-9A-Za-z_-]{30,}$/, 'google-api-key'],
  [/^glpat-/, 'gitlab-pat'],
  [/^npm_[A-Za-z0-9]{30,}$/, 'npm-token'],
  [/^pypi-[A-Za-z0-9_-]{40,}$/, 'pypi-token'],
  [/^SG\.[\w-]{16,}\.[\w-]{16,}$/, 'sendgrid-api-key'],
  // header.payload.signature, each base64url; the header of every JWT is a JSON object, so starts `eyJ`.
  [/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, 'jwt'],
];

export function detectTokenType(value: string): string {
  const v = value.trim();
  for (const [pattern, type] of TOKEN_PREFIXES) if (pattern.test(v)) return type;
  return GENERIC_SECRET;
}

/** Exact names (after kebab-casing) whose meaning a prefix rule below would get wrong or miss. */
const ALIASES: Readonly<Record<string, string>> = {
  // TruffleHog detector names (DetectorType enum strings), kebab-cased.
  aws: 'aws-access-key',
  awssessionkey: 'aws-access-key',
  'aws-session-key': 'aws-access-key',
  github: 'github-pat',
  'github-oauth2': 'github-oauth-client-secret',
  gitlab: 'gitlab-pat',
  slack: 'slack-token',
  stripe: 'stripe-secret-key',
  gcp: 'gcp-service-account',
  'google-api-key': 'google-api-key',
  'gcp-api-key': 'google-api-key',
  'private-key': 'private-key',
  jwt: 'jwt',
  // gitleaks v7 rule descriptions, kebab-cased.
  'asymmetric-private-key': 'private-key',
  'google-gcp-service-account': 'gcp-service-account',
  'generic-credential': GENERIC_SECRET,
  // GitHub secret scanning types.
  'aws-access-key-id': 'aws-access-key',
  'aws-secret-access-key': 'aws-secret-key',
  'slack-incoming-webhook-url': 'slack-webhook',
  'slack-workflow-webhook-url': 'slack-webhook',
  'stripe-api-key': 'stripe-secret-key',
  'stripe-live-secret-key': 'stripe-secret-key',
  'stripe-live-restricted-key': 'stripe-secret-key',
  'gitlab-access-token': 'gitlab-pat',
  'npm-access-token': 'npm-token',
  'pypi-api-token': 'pypi-token',
  'http-basic-authentication-header': 'password',
  'http-bearer-authentication-header': GENERIC_SECRET,
  // secretlint rule ids (after stripping `@secretlint/secretlint-rule-`).
  privatekey: 'private-key',
  basicauth: 'password',
  npm: 'npm-token',
  'database-connection-string': 'database-connection-string',
  // TruffleHog's database detectors find connection strings with credentials.
  postgres: 'database-connection-string',
  mongodb: 'database-connection-string',
  mysql: 'database-connection-string',
  jdbc: 'database-connection-string',
  redis: 'database-connection-string',
  sqlserver: 'database-connection-string',
  // Generic detectors of every scanner.
  generic: GENERIC_SECRET,
  secret: GENERIC_SECRET,
  'generic-secret': GENERIC_SECRET,
  'generic-password': 'password',
  'generic-api-key': 'generic-api-key',
  'custom-regex': GENERIC_SECRET,
  'high-entropy-string': GENERIC_SECRET,
  password: 'password',
};

/** Families: a scanner's many rule ids for one provider's tokens collapse to one type. First match wins. */
const FAMILIES: ReadonlyArray<readonly [RegExp, string]> = [
  [/private-?key|ssh-key|pgp-key|pem-key/, 'private-key'],
  [/^aws-(?:secret|.*secret-access)/, 'aws-secret-key'],
  [/^aws-(?:access|akid|key-id|iam|temporary)|^aws-mws/, 'aws-access-key'],
  [/^github-(?:pat|fine-grained|personal|oauth(?!2)|app|refresh|user-to-server|server-to-server|token)/, 'github-pat'],
  [/^gitlab-(?:pat|personal|token|ptt|rrt|deploy|runner|pipeline|oauth-access)/, 'gitlab-pat'],
  [/^slack-(?:incoming-)?webhook/, 'slack-webhook'],
  [/^slack-(?:bot|user|app|legacy|config|api|access|token|workspace)/, 'slack-token'],
  [/^stripe-(?:access|secret|restricted|live)/, 'stripe-secret-key'],
  [/^(?:gcp|google)-(?:api-key|apikey)/, 'google-api-key'],
  [/^(?:gcp|google-cloud|google)-(?:service-account|application-default)/, 'gcp-service-account'],
  [/^npm-(?:access|token|granular)/, 'npm-token'],
  [/^pypi-(?:upload|api|token)/, 'pypi-token'],
  [/^sendgrid/, 'sendgrid-api-key'],
  [/^jwt|json-web-token/, 'jwt'],
  [/^generic-(?:secret|credential)/, GENERIC_SECRET],
  [/^generic-(?:api|token|key)/, 'generic-api-key'],
  [/(?:^|-)password(?:-|$)|passwd|basic-auth/, 'password'],
];

/** `SlackWebhook` → `slack-webhook`, `aws_access_key_id` → `aws-access-key-id`, `AWS Access Key` → `aws-access-key`. */
export function toKebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(BRAND_SPLITS, (split) => split.replace('-', ''));
}

/** Camel-cased brands that the split above would cut in two (`GitHub`, `SendGrid`, `OpenAI`). */
const BRAND_SPLITS = /\b(?:git-hub|git-lab|send-grid|open-ai|pay-pal|mail-chimp|mail-gun|hugging-face|digital-ocean|bit-bucket|key-cloak|one-login)\b/g;

export function normaliseSecretType(ruleOrDetector: string): string {
  // secretlint SARIF rule ids are `<preset> > <rule>`, e.g. `@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-github`.
  let name = ruleOrDetector.split('>').pop()?.trim() ?? '';
  name = name.replace(/^@secretlint\/secretlint-rule-/, '').replace(/^secretlint-rule-/, '');
  const kebab = toKebab(name);
  if (kebab === '') return GENERIC_SECRET;
  const alias = ALIASES[kebab] ?? ALIASES[kebab.replace(/-/g, '')];
  if (alias) return alias;
  for (const [pattern, type] of FAMILIES) if (pattern.test(kebab)) return type;
  return kebab;
}

/** Types that say nothing about what the secret opens: a known token prefix in the value says more. */
const GENERIC_TYPES = new Set([GENERIC_SECRET, 'generic-api-key', 'password']);

export function isGenericSecretType(secretType: string): boolean {
  return GENERIC_TYPES.has(secretType);
}

/**
 * A scanner's rule, refined by the value when the rule is generic: gitleaks' `generic-api-key` catching a
 * `ghp_...` is a GitHub token, and the risk rules must treat it as one.
 */
export function secretTypeFor(rule: string | undefined, secret: string | null): string {
  const fromRule = rule ? normaliseSecretType(rule) : GENERIC_SECRET;
  if (secret && isGenericSecretType(fromRule)) {
    const fromValue = detectTokenType(secret);
    if (fromValue !== GENERIC_SECRET) return fromValue;
  }
  return fromRule;
}
