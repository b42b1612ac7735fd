/**
 * A domain claimed by an organisation: claim → token → verified (by DNS TXT or HTTPS file) until its
 * verification expires; re-verification extends it; revoke ends it (a later claim starts over with a new token).
 * Verification checks happen outside (I/O); the decider receives their outcome as a command.
 */
import { normalizeDomain } from '@leakwatch/authz';
import { Decider, accept, assertNever, refuse } from '@leakwatch/decider';

export type VerificationMethod = 'dns' | 'http';

export type DomainEvent =
  | { type: 'DomainClaimed'; data: { org_id: string; domain: string; token: string; claimed_at: string } }
  | { type: 'DomainVerified'; data: { org_id: string; domain: string; method: VerificationMethod; verified_at: string; expires_at: string } }
  | { type: 'DomainRevoked'; data: { org_id: string; domain: string; revoked_at: string } };

export type DomainCommand =
  | { type: 'ClaimDomain'; orgId: string; domain: string; token: string; at: string }
  | { type: 'RecordVerification'; method: VerificationMethod; at: string; validForDays: number }
  | { type: 'RevokeDomain'; at: string };

export type DomainState =
  | { status: 'none' }
  | { status: 'pending'; orgId: string; domain: string; token: string }
  | { status: 'verified'; orgId: string; domain: string; token: string; method: VerificationMethod; verifiedAt: string; expiresAt: string }
  | { status: 'revoked'; orgId: string; domain: string };

export type DomainRefusal = 'already_claimed' | 'already_verified' | 'domain_not_claimed' | 'domain_revoked';

export const domainDecider: Decider<DomainState, DomainCommand, DomainEvent, DomainRefusal> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'ClaimDomain':
        if (state.status === 'pending') return refuse('already_claimed');
        if (state.status === 'verified') return refuse('already_verified');
        return accept({ type: 'DomainClaimed', data: { org_id: command.orgId, domain: command.domain, token: command.token, claimed_at: command.at } });
      case 'RecordVerification': {
        if (state.status === 'none') return refuse('domain_not_claimed');
        if (state.status === 'revoked') return refuse('domain_revoked');
        const expiresAt = new Date(Date.parse(command.at) + command.validForDays * 86_400_000).toISOString();
        return accept({
          type: 'DomainVerified',
          data: { org_id: state.orgId, domain: state.domain, method: command.method, verified_at: command.at, expires_at: expiresAt },
        });
      }
      case 'RevokeDomain':
        if (state.status === 'none') return refuse('domain_not_claimed');
        if (state.status === 'revoked') return accept();
        return accept({ type: 'DomainRevoked', data: { org_id: state.orgId, domain: state.domain, revoked_at: command.at } });
      default:
        return assertNever(command, 'domain command');
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'DomainClaimed':
        return { status: 'pending', orgId: event.data.org_id, domain: event.data.domain, token: event.data.token };
      case 'DomainVerified':
        if (state.status !== 'pending' && state.status !== 'verified') return state;
        return { ...state, status: 'verified', method: event.data.method, verifiedAt: event.data.verified_at, expiresAt: event.data.expires_at };
      case 'DomainRevoked':
        return state.status === 'none' ? state : { status: 'revoked', orgId: state.orgId, domain: state.domain };
      default:
        return assertNever(event, 'domain event');
    }
  },
};

/** What a reader sees at `now`: a verification past its expiry counts as `expired` (re-verify to renew). */
export function effectiveDomainStatus(state: DomainState, now: string): 'none' | 'pending' | 'verified' | 'expired' | 'revoked' {
  if (state.status === 'verified' && state.expiresAt <= now) return 'expired';
  return state.status;
}

/**
 * A domain an organisation may claim: normalised the one way every context compares domains
 * (`normalizeDomain`: trimmed, lowercase, no trailing dot), and then held to DNS syntax — at least two labels
 * of letters/digits/hyphens (IDNs in punycode), not an IP address. Null when it is not claimable.
 */
export function claimableDomain(input: string): string | null {
  const domain = normalizeDomain(input);
  if (domain === undefined) return null;
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => label.test(l)) || /^\d+$/.test(labels[labels.length - 1])) return null;
  return domain;
}
