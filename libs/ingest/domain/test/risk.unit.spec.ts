import { Exposure, Risk, exposureOf, riskFor } from '../src';

type Row = [secretType: string, kind: 'token' | 'credential', verified: boolean | null, exposure: Exposure, risk: Risk];

describe('riskFor (rules table in README.md)', () => {
  describe('base: provider keys, VCS tokens, private keys, payment and registry keys are high', () => {
    it.each<Row>([
      ['aws-access-key', 'token', null, 'unknown', 'high'],
      ['aws-secret-key', 'token', false, 'private', 'high'],
      ['gcp-service-account', 'token', null, 'unknown', 'high'],
      ['google-api-key', 'token', null, 'unknown', 'high'],
      ['azure-storage-key', 'token', null, 'unknown', 'high'],
      ['azure', 'token', null, 'unknown', 'high'],
      ['square-access-token', 'token', null, 'unknown', 'high'],
      ['squarespace-api-key', 'token', null, 'unknown', 'medium'],
      ['github-pat', 'token', null, 'private', 'high'],
      ['gitlab-pat', 'token', null, 'unknown', 'high'],
      ['private-key', 'token', null, 'unknown', 'high'],
      ['stripe-secret-key', 'token', null, 'unknown', 'high'],
      ['npm-token', 'token', null, 'unknown', 'high'],
      ['database-connection-string', 'token', null, 'unknown', 'high'],
    ])('%s %s verified=%p %s → %s', (secretType, kind, verified, exposure, risk) =>
      expect(riskFor({ secretType, kind, verified, exposure })).toBe(risk));
  });

  describe('base: other named types are medium, generic secrets low', () => {
    it.each<Row>([
      ['slack-token', 'token', null, 'unknown', 'medium'],
      ['slack-webhook', 'token', false, 'private', 'medium'],
      ['jwt', 'token', null, 'unknown', 'medium'],
      ['sendgrid-api-key', 'token', null, 'unknown', 'medium'],
      ['generic-secret', 'token', null, 'unknown', 'low'],
      ['generic-api-key', 'token', false, 'private', 'low'],
      ['password', 'token', null, 'unknown', 'low'],
    ])('%s %s verified=%p %s → %s', (secretType, kind, verified, exposure, risk) =>
      expect(riskFor({ secretType, kind, verified, exposure })).toBe(risk));
  });

  describe('credentials (identity + password) are high whatever their type', () => {
    it.each<Row>([
      ['password', 'credential', null, 'unknown', 'high'],
      ['password', 'credential', true, 'unknown', 'critical'],
      ['password', 'credential', null, 'public', 'critical'],
    ])('%s %s verified=%p %s → %s', (secretType, kind, verified, exposure, risk) =>
      expect(riskFor({ secretType, kind, verified, exposure })).toBe(risk));
  });

  describe('verified raises one level, public exposure one more, capped at critical; nothing lowers', () => {
    it.each<Row>([
      ['github-pat', 'token', true, 'private', 'critical'],
      ['github-pat', 'token', null, 'public', 'critical'],
      ['github-pat', 'token', true, 'public', 'critical'],
      ['slack-token', 'token', true, 'unknown', 'high'],
      ['slack-token', 'token', null, 'public', 'high'],
      ['slack-token', 'token', true, 'public', 'critical'],
      ['generic-api-key', 'token', true, 'private', 'medium'],
      ['generic-api-key', 'token', null, 'public', 'medium'],
      ['generic-api-key', 'token', true, 'public', 'high'],
      ['generic-secret', 'token', false, 'public', 'medium'],
      ['aws-access-key', 'token', false, 'unknown', 'high'],
    ])('%s %s verified=%p %s → %s', (secretType, kind, verified, exposure, risk) =>
      expect(riskFor({ secretType, kind, verified, exposure })).toBe(risk));
  });
});

describe('exposureOf', () => {
  it.each<[Record<string, string | number> | null, Exposure]>([
    [{ visibility: 'public' }, 'public'],
    [{ visibility: 'private' }, 'private'],
    [{ visibility: 'shared' }, 'private'],
    [{ visibility: 'unknown' }, 'unknown'],
    [{ file: 'a' }, 'unknown'],
    [null, 'unknown'],
  ])('%p → %s', (location, exposure) => expect(exposureOf({ location })).toBe(exposure));
});
