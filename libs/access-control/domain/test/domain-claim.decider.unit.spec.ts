import { DeciderSpecification } from '@leakwatch/testing';
import { DomainEvent, domainDecider, effectiveDomainStatus, claimableDomain } from '../src';

const AT = '2026-11-25T10:00:00.000Z';
const claimed: DomainEvent = { type: 'DomainClaimed', data: { org_id: 'o1', domain: 'acme.com', token: 't1', claimed_at: AT } };
const verified: DomainEvent = {
  type: 'DomainVerified',
  data: { org_id: 'o1', domain: 'acme.com', method: 'dns', verified_at: AT, expires_at: '2026-12-25T10:00:00.000Z' },
};
const revoked: DomainEvent = { type: 'DomainRevoked', data: { org_id: 'o1', domain: 'acme.com', revoked_at: AT } };
const spec = DeciderSpecification.for(domainDecider);
const claim = { type: 'ClaimDomain' as const, orgId: 'o1', domain: 'acme.com', token: 't2', at: AT };
const verify = { type: 'RecordVerification' as const, method: 'dns' as const, at: AT, validForDays: 30 };

describe('domain claim decider', () => {
  it('claims an unclaimed domain', () => spec.given([]).when(claim).then([{ ...claimed, data: { ...claimed.data, token: 't2' } }]));
  it('refuses a second claim while pending', () => spec.given([claimed]).when(claim).thenRefuses('already_claimed'));
  it('refuses a claim of a verified domain', () => spec.given([claimed, verified]).when(claim).thenRefuses('already_verified'));
  it('allows a new claim after revoke, with a new token', () =>
    spec.given([claimed, verified, revoked]).when(claim).then([{ ...claimed, data: { ...claimed.data, token: 't2' } }]));

  it('verifies a pending claim for the validity period', () => spec.given([claimed]).when(verify).then([verified]));
  it('re-verification extends the expiry', () =>
    spec.given([claimed, verified]).when({ ...verify, at: '2026-12-20T10:00:00.000Z' }).then([
      { type: 'DomainVerified', data: { ...verified.data, verified_at: '2026-12-20T10:00:00.000Z', expires_at: '2027-01-19T10:00:00.000Z' } },
    ]));
  it('refuses verification of an unclaimed domain', () => spec.given([]).when(verify).thenRefuses('domain_not_claimed'));
  it('refuses verification of a revoked domain', () => spec.given([claimed, revoked]).when(verify).thenRefuses('domain_revoked'));

  it('revokes', () => spec.given([claimed, verified]).when({ type: 'RevokeDomain', at: AT }).then([revoked]));
  it('revoking twice records nothing', () => spec.given([claimed, revoked]).when({ type: 'RevokeDomain', at: AT }).then([]));
  it('refuses revoking an unclaimed domain', () => spec.given([]).when({ type: 'RevokeDomain', at: AT }).thenRefuses('domain_not_claimed'));

  it('a verification past its expiry reads as expired', () => {
    const state = [claimed, verified].reduce(domainDecider.evolve, domainDecider.initialState());
    expect(effectiveDomainStatus(state, '2026-12-01T00:00:00.000Z')).toBe('verified');
    expect(effectiveDomainStatus(state, '2026-12-25T10:00:00.000Z')).toBe('expired');
  });

  it.each([
    ['Acme.COM.', 'acme.com'],
    ['eu.acme.co.uk', 'eu.acme.co.uk'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['localhost', null],
    ['-acme.com', null],
    ['acme..com', null],
    ['10.0.0.1', null],
    ['acme.com/path', null],
    ['a'.repeat(64) + '.com', null],
    ['', null],
  ])('normalizes %p to %p', (input, expected) => expect(claimableDomain(input)).toBe(expected));
});
