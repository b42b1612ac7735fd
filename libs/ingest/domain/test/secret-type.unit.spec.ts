import { detectTokenType, normaliseSecretType } from '../src';

describe('detectTokenType (manual tokens, by well-known prefixes)', () => {
  it.each([
    ['ghp_0000FAKE0000TEST0000FAKE0000TEST0000', 'github-pat'],
    ['gho_0000FAKE0000TEST0000FAKE0000TEST0000', 'github-pat'],
    ['ghu_0000FAKE0000TEST0000FAKE0000TEST0000', 'github-pat'],
    ['ghs_0000FAKE0000TEST0000FAKE0000TEST0000', 'github-pat'],
    ['ghr_0000FAKE0000TEST0000FAKE0000TEST0000', 'github-pat'],
    ['github_pat_11FAKE0000000000000000_0000FAKE0000TEST0000FAKE0000TEST0000FAKE0000TEST0000FAKE0000', 'github-pat'],
    ['AKIAIOSFODNN7EXAMPLE', 'aws-access-key'],
    ['ASIAIOSFODNN7EXAMPLE', 'aws-access-key'],
    ['xoxb-000000000000-0000000000000-FAKEfakeFAKEfakeFAKEfake', 'slack-token'],
    ['xoxp-000000000000-000000000000-000000000000-fakefake', 'slack-token'],
    ['xoxa-2-FAKE', 'slack-token'],
    ['xoxr-FAKE', 'slack-token'],
    ['https://hooks.slack.com/services/T00000000/B00000000/FAKEFAKEFAKEFAKEFAKEFAKE', 'slack-webhook'],
    ['sk_live_FAKE00000000000000000000', 'stripe-secret-key'],
    ['rk_live_FAKE00000000000000000000', 'stripe-secret-key'],
    ['AIzaFAKE0000000000000000000000000000000', 'google-api-key'],
    ['glpat-FAKE0000000000000000', 'gitlab-pat'],
    ['npm_FAKE00000000000000000000000000000000', 'npm-token'],
    ['-----BEGIN RSA PRIVATE KEY-----\nFAKE\n-----END RSA PRIVATE KEY-----', 'private-key'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE\n-----END OPENSSH PRIVATE KEY-----', 'private-key'],
    ['-----BEGIN PRIVATE KEY-----\nFAKE\n-----END PRIVATE KEY-----', 'private-key'],
    ['-----BEGIN PGP PRIVATE KEY BLOCK-----\nFAKE\n-----END PGP PRIVATE KEY BLOCK-----', 'private-key'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmU', 'jwt'],
    ['  ghp_0000FAKE0000TEST0000FAKE0000TEST0000\n', 'github-pat'],
    ['sk_test_FAKE00000000000000000000', 'generic-secret'],
    ['AKIA-not-a-key', 'generic-secret'],
    ['eyJ-not-a-jwt', 'generic-secret'],
    ['hunter2', 'generic-secret'],
    ['', 'generic-secret'],
  ])('%p → %s', (value, type) => expect(detectTokenType(value)).toBe(type));
});

describe('normaliseSecretType (scanner rule ids and detector names → one vocabulary)', () => {
  it.each([
    // gitleaks v8 rule ids
    ['github-pat', 'github-pat'],
    ['github-fine-grained-pat', 'github-pat'],
    ['github-oauth', 'github-pat'],
    ['github-app-token', 'github-pat'],
    ['github-refresh-token', 'github-pat'],
    ['gitlab-pat', 'gitlab-pat'],
    ['aws-access-token', 'aws-access-key'],
    ['generic-api-key', 'generic-api-key'],
    ['private-key', 'private-key'],
    ['slack-bot-token', 'slack-token'],
    ['slack-user-token', 'slack-token'],
    ['slack-webhook-url', 'slack-webhook'],
    ['stripe-access-token', 'stripe-secret-key'],
    ['gcp-api-key', 'google-api-key'],
    ['jwt', 'jwt'],
    ['npm-access-token', 'npm-token'],
    ['pypi-upload-token', 'pypi-token'],
    ['sendgrid-api-token', 'sendgrid-api-key'],
    ['twilio-api-key', 'twilio-api-key'],
    // gitleaks v7 rule descriptions
    ['AWS Access Key', 'aws-access-key'],
    ['Github', 'github-pat'],
    ['Slack', 'slack-token'],
    ['Asymmetric Private Key', 'private-key'],
    ['Google (GCP) Service Account', 'gcp-service-account'],
    ['Generic Credential', 'generic-secret'],
    // TruffleHog detector names
    ['AWS', 'aws-access-key'],
    ['AWSSessionKey', 'aws-access-key'],
    ['Github', 'github-pat'],
    ['GitHubOauth2', 'github-oauth-client-secret'],
    ['Gitlab', 'gitlab-pat'],
    ['Slack', 'slack-token'],
    ['SlackWebhook', 'slack-webhook'],
    ['Stripe', 'stripe-secret-key'],
    ['PrivateKey', 'private-key'],
    ['GCP', 'gcp-service-account'],
    ['SendGrid', 'sendgrid-api-key'],
    ['OpenAI', 'openai'],
    ['JWT', 'jwt'],
    ['CustomRegex', 'generic-secret'],
    ['Postgres', 'database-connection-string'],
    ['MongoDB', 'database-connection-string'],
    ['JDBC', 'database-connection-string'],
    ['AzureStorage', 'azure-storage'],
    // GitHub secret scanning types
    ['github_personal_access_token', 'github-pat'],
    ['github_oauth_access_token', 'github-pat'],
    ['github_app_installation_access_token', 'github-pat'],
    ['github_ssh_private_key', 'private-key'],
    ['aws_access_key_id', 'aws-access-key'],
    ['aws_secret_access_key', 'aws-secret-key'],
    ['slack_api_token', 'slack-token'],
    ['slack_incoming_webhook_url', 'slack-webhook'],
    ['stripe_api_key', 'stripe-secret-key'],
    ['google_api_key', 'google-api-key'],
    ['gitlab_access_token', 'gitlab-pat'],
    ['npm_access_token', 'npm-token'],
    ['password', 'password'],
    ['http_basic_authentication_header', 'password'],
    ['mailchimp_api_key', 'mailchimp-api-key'],
    // secretlint rule ids (with and without preset)
    ['@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-github', 'github-pat'],
    ['@secretlint/secretlint-rule-aws', 'aws-access-key'],
    ['@secretlint/secretlint-rule-slack', 'slack-token'],
    ['@secretlint/secretlint-rule-privatekey', 'private-key'],
    ['@secretlint/secretlint-rule-basicauth', 'password'],
    ['@secretlint/secretlint-rule-npm', 'npm-token'],
    ['@secretlint/secretlint-rule-gcp', 'gcp-service-account'],
    // degenerate input
    ['', 'generic-secret'],
    ['  ', 'generic-secret'],
  ])('%p → %s', (rule, type) => expect(normaliseSecretType(rule)).toBe(type));

  it('always answers lowercase kebab', () => {
    for (const name of ['Some Weird_Rule.Name', 'AzureStorage', 'HuggingFace', 'DigitalOceanV2']) {
      expect(normaliseSecretType(name)).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
  });
});
