import { DeciderSpecification } from '@leakwatch/testing';
import { ApiKeyEvent, ApiKeyIssuedData, apiKeyDecider, isUsable } from '../src';

const AT = '2026-11-25T10:00:00.000Z';
const key: Omit<ApiKeyIssuedData, 'issued_at'> = {
  key_id: 'k1', name: 'ci', role: 'admin', org_id: 'o1', user_email: 'sec@acme.com', type: 'private', limit: 1000,
  expires_at: '2027-01-01T00:00:00.000Z', key_hash: 'h1', prefix: 'lw_abcd1234',
};
const issued: ApiKeyEvent = { type: 'ApiKeyIssued', data: { ...key, issued_at: AT } };
const spec = DeciderSpecification.for(apiKeyDecider);

describe('API key decider', () => {
  describe('issue', () => {
    it('issues a new key', () => spec.given([]).when({ type: 'IssueApiKey', key, at: AT }).then([issued]));
    it('refuses a second issue on the same id', () => spec.given([issued]).when({ type: 'IssueApiKey', key, at: AT }).thenRefuses('key_exists'));
    it.each([0, -1, 1.5])('refuses limit %p', (limit) => spec.given([]).when({ type: 'IssueApiKey', key: { ...key, limit }, at: AT }).thenRefuses('invalid_limit'));
    it('refuses an expiry in the past', () =>
      spec.given([]).when({ type: 'IssueApiKey', key: { ...key, expires_at: '2020-01-01T00:00:00.000Z' }, at: AT }).thenRefuses('expiry_in_past'));
    it('refuses an org role without org', () => spec.given([]).when({ type: 'IssueApiKey', key: { ...key, org_id: null }, at: AT }).thenRefuses('org_required'));
    it('refuses a global role bound to an org', () =>
      spec.given([]).when({ type: 'IssueApiKey', key: { ...key, role: 'global_analyst' }, at: AT }).thenRefuses('global_role_with_org'));
    it('issues a global key without org', () =>
      spec.given([]).when({ type: 'IssueApiKey', key: { ...key, role: 'global_admin', org_id: null }, at: AT }).then([
        { type: 'ApiKeyIssued', data: { ...key, role: 'global_admin', org_id: null, issued_at: AT } },
      ]));
  });

  describe('rotate', () => {
    const rotate = { type: 'RotateApiKey' as const, keyId: 'k1', keyHash: 'h2', prefix: 'lw_zzzz9999', at: AT };
    it('replaces hash and prefix', () =>
      spec.given([issued]).when(rotate).then([{ type: 'ApiKeyRotated', data: { key_id: 'k1', org_id: 'o1', key_hash: 'h2', prefix: 'lw_zzzz9999', rotated_at: AT } }]));
    it('keeps role and limits, swaps the hash', () =>
      spec.given([issued]).when(rotate).thenState({ status: 'active', key: { ...issued.data, key_hash: 'h2', prefix: 'lw_zzzz9999' } }));
    it('refuses an unknown key', () => spec.given([]).when(rotate).thenRefuses('key_not_found'));
    it('refuses a revoked key', () =>
      spec.given([issued, { type: 'ApiKeyRevoked', data: { key_id: 'k1', org_id: 'o1', revoked_at: AT } }]).when(rotate).thenRefuses('key_revoked'));
  });

  describe('revoke', () => {
    const revoke = { type: 'RevokeApiKey' as const, keyId: 'k1', at: AT };
    it('revokes an active key', () => spec.given([issued]).when(revoke).then([{ type: 'ApiKeyRevoked', data: { key_id: 'k1', org_id: 'o1', revoked_at: AT } }]));
    it('is idempotent: revoking again records nothing', () =>
      spec.given([issued, { type: 'ApiKeyRevoked', data: { key_id: 'k1', org_id: 'o1', revoked_at: AT } }]).when(revoke).then([]));
    it('refuses an unknown key', () => spec.given([]).when(revoke).thenRefuses('key_not_found'));
  });

  describe('usable', () => {
    const active = apiKeyDecider.evolve(apiKeyDecider.initialState(), issued);
    it('is usable before expiry', () => expect(isUsable(active, '2026-12-31T23:59:59.000Z')).toBe(true));
    it('is not usable at or after expiry', () => expect(isUsable(active, '2027-01-01T00:00:00.000Z')).toBe(false));
    it('is not usable once revoked', () =>
      expect(isUsable(apiKeyDecider.evolve(active, { type: 'ApiKeyRevoked', data: { key_id: 'k1', org_id: 'o1', revoked_at: AT } }), AT)).toBe(false));
  });
});
