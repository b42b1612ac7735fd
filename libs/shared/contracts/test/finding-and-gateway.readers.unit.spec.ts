import { readFindingReceivedV1, readFindingResolutionV1, readTokenUseAttemptV1 } from '../src';

const leakid = 'b3652f2555841f7652badd9804859f4e';
const finding = {
  finding_id: 'f-1', leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)', identity: { email: 'dev@acme.example', username: null },
  site: null, org_id: 'o1', source: { name: 'gitleaks', url: null }, risk: 'high', blockable: true, location: { file: 'a.env' }, found_at: '2026-11-25T10:00:00.000Z', batch_id: 'b-1',
};

describe('readers of leakwatch.findings.v1 and leakwatch.gateway.v1', () => {
  it('read a finding, a resolution and a token-use attempt as the contracts say', () => {
    expect(readFindingReceivedV1(finding)).toEqual(finding);
    expect(readFindingResolutionV1({ leakid, status: 'fixed', reason: 'revoked', source: { name: 'github' }, reported_at: '2026-11-26T00:00:00Z' })).toEqual({
      leakid, status: 'fixed', reason: 'revoked', source: { name: 'github', url: null }, reported_at: '2026-11-26T00:00:00Z',
    });
    expect(readTokenUseAttemptV1({ leakid, attempted_at: '2026-11-26T00:00:00Z', key_id: 'k', blocked: true })).toEqual({ leakid, attempted_at: '2026-11-26T00:00:00Z', key_id: 'k', blocked: true });
  });

  it('answer undefined for what is not the contract', () => {
    expect(readFindingReceivedV1({ ...finding, leakid: 'x' })).toBeUndefined();
    expect(readFindingReceivedV1({ ...finding, risk: 'severe' })).toBeUndefined();
    expect(readFindingReceivedV1({ ...finding, found_at: 'soon' })).toBeUndefined();
    expect(readFindingResolutionV1({ leakid, status: 'closed', source: { name: 'github' }, reported_at: '2026-11-26T00:00:00Z' })).toBeUndefined();
    expect(readTokenUseAttemptV1({ leakid })).toBeUndefined();
    expect(readTokenUseAttemptV1(null)).toBeUndefined();
  });
});
