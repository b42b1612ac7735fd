/**
 * Domain ownership: claim (random token + instructions), verify (DNS TXT first, then the HTTPS file),
 * revoke. The I/O of the check happens here; the decider only records the outcome.
 */
import { randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@leakwatch/authz';
import { claimableDomain, domainAggregate, domainStream } from '@leakwatch/access-control/domain';
import { OwnershipChecker, challengeRecordName, challengeRecordValue, wellKnownUrl } from '@leakwatch/access-control/verification';
import { EVENT_STORE, EventStore, decideAndAppend } from '@leakwatch/event-store';
import { CLOCK, Clock } from '@leakwatch/runtime';
import { ACCESS_CONTROL_OPTIONS, AccessControlOptions } from '../access-control.options';
import { AccessQueries, DomainView } from '../read-model/access-queries';
import { AccessProjectionRunner } from './access-projection-runner';
import { metadataFor } from './actor';
import { DirectoryWriteThrough } from './directory-write-through';
import { AccessResult, answer, refused } from './access-result';
import { targetOrg } from './target-org';

export const OWNERSHIP_CHECKER = Symbol('OWNERSHIP_CHECKER');

export interface DomainClaimView {
  org_id: string;
  domain: string;
  status: 'pending';
  token: string;
  dns: { name: string; type: 'TXT'; value: string };
  http: { url: string; content: string };
}

export interface ClaimedDomain {
  /** False when the domain was already claimed and pending: the answer repeats the instructions issued then. */
  created: boolean;
  claim: DomainClaimView;
}

export interface VerificationView {
  org_id: string;
  domain: string;
  status: DomainView['status'];
  method?: 'dns' | 'http';
  expires_at?: string | null;
  reason?: string;
}

export class ClaimDomainCommand extends Command<AccessResult<ClaimedDomain>> {
  constructor(readonly caller: Caller, readonly domain: string, readonly orgId?: string) {
    super();
  }
}
export class VerifyDomainCommand extends Command<AccessResult<VerificationView>> {
  constructor(readonly caller: Caller, readonly domain: string, readonly orgId?: string) {
    super();
  }
}
export class RevokeDomainCommand extends Command<AccessResult<DomainView>> {
  constructor(readonly caller: Caller, readonly domain: string, readonly orgId?: string) {
    super();
  }
}

/** The organisation and the claimable domain a command acts on, or why not. */
function target(caller: Caller, requested: string | undefined, input: string): AccessResult<{ orgId: string; domain: string }> {
  const org = targetOrg(caller, requested);
  if (!org.ok) return org;
  const domain = claimableDomain(input);
  return domain ? answer({ orgId: org.value, domain }) : refused('invalid_domain', input);
}

abstract class DomainHandlerBase {
  /** Property-injected so subclasses with their own constructors need not pass it along. */
  @Inject(DirectoryWriteThrough) protected readonly directory!: DirectoryWriteThrough;
  @Inject(CLOCK) protected readonly clock!: Clock;

  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    protected readonly queries: AccessQueries,
    protected readonly projection: AccessProjectionRunner,
  ) {}

  protected async existingClaim(orgId: string, domain: string): Promise<AccessResult<DomainView & { token: string }>> {
    const claim = await this.queries.findDomain(orgId, domain);
    return claim ? answer(claim) : refused('domain_not_claimed', domain);
  }
}

export function claimView(orgId: string, domain: string, token: string): DomainClaimView {
  return {
    org_id: orgId,
    domain,
    status: 'pending',
    token,
    dns: { name: challengeRecordName(domain), type: 'TXT', value: challengeRecordValue(token) },
    http: { url: wellKnownUrl(domain), content: challengeRecordValue(token) },
  };
}

@CommandHandler(ClaimDomainCommand)
export class ClaimDomainHandler extends DomainHandlerBase implements ICommandHandler<ClaimDomainCommand, AccessResult<ClaimedDomain>> {
  async execute({ caller, domain: input, orgId: requested }: ClaimDomainCommand): Promise<AccessResult<ClaimedDomain>> {
    const targeted = target(caller, requested, input);
    if (!targeted.ok) return targeted;
    const { orgId, domain } = targeted.value;
    if (!(await this.queries.orgExists(orgId))) return refused('org_not_found', orgId);
    const token = randomBytes(24).toString('base64url');
    const at = this.clock().toISOString();
    const outcome = await decideAndAppend(this.store, domainStream(orgId, domain), domainAggregate, { type: 'ClaimDomain', orgId, domain, token, at }, metadataFor(caller, at));
    if (!outcome.result.ok) {
      // Claiming again while pending is harmless: answer with the instructions already issued.
      if (outcome.result.refusal === 'already_claimed' && outcome.state.status === 'pending') {
        return answer({ created: false, claim: claimView(orgId, domain, outcome.state.token) });
      }
      return refused(outcome.result.refusal);
    }
    await this.projection.caughtUpTo(outcome.position);
    return answer({ created: true, claim: claimView(orgId, domain, token) });
  }
}

@CommandHandler(VerifyDomainCommand)
export class VerifyDomainHandler extends DomainHandlerBase implements ICommandHandler<VerifyDomainCommand, AccessResult<VerificationView>> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    queries: AccessQueries,
    projection: AccessProjectionRunner,
    @Inject(OWNERSHIP_CHECKER) private readonly checker: OwnershipChecker,
    @Inject(ACCESS_CONTROL_OPTIONS) private readonly options: AccessControlOptions,
  ) {
    super(store, queries, projection);
  }

  async execute({ caller, domain: input, orgId: requested }: VerifyDomainCommand): Promise<AccessResult<VerificationView>> {
    const targeted = target(caller, requested, input);
    if (!targeted.ok) return targeted;
    const { orgId, domain } = targeted.value;
    const existing = await this.existingClaim(orgId, domain);
    if (!existing.ok) return existing;
    const claim = existing.value;
    if (claim.status === 'revoked') return refused('domain_revoked');

    const dns = await this.checker.checkDns(domain, claim.token);
    const result = dns.verified ? dns : await this.checker.checkHttp(domain, claim.token);
    if (!result.verified) {
      const httpReason = result.method === 'http' ? result.reason : undefined;
      const reason = [!dns.verified ? `DNS: ${dns.reason}` : undefined, httpReason ? `HTTPS: ${httpReason}` : undefined].filter(Boolean).join('; ');
      return answer({ org_id: orgId, domain, status: claim.status, expires_at: claim.expires_at, reason });
    }
    const at = this.clock().toISOString();
    const outcome = await decideAndAppend(
      this.store, domainStream(orgId, domain), domainAggregate,
      { type: 'RecordVerification', method: result.method, at, validForDays: this.options.verificationValidDays },
      metadataFor(caller, at),
    );
    if (!outcome.result.ok) return refused(outcome.result.refusal);
    await Promise.all([this.projection.caughtUpTo(outcome.position), this.directory.sync(domainStream(orgId, domain))]);
    const verified = outcome.result.events[0];
    return answer({ org_id: orgId, domain, status: 'verified', method: result.method, expires_at: verified.type === 'DomainVerified' ? verified.data.expires_at : null });
  }
}

@CommandHandler(RevokeDomainCommand)
export class RevokeDomainHandler extends DomainHandlerBase implements ICommandHandler<RevokeDomainCommand, AccessResult<DomainView>> {
  async execute({ caller, domain: input, orgId: requested }: RevokeDomainCommand): Promise<AccessResult<DomainView>> {
    const targeted = target(caller, requested, input);
    if (!targeted.ok) return targeted;
    const { orgId, domain } = targeted.value;
    const existing = await this.existingClaim(orgId, domain);
    if (!existing.ok) return existing;
    const at = this.clock().toISOString();
    const outcome = await decideAndAppend(this.store, domainStream(orgId, domain), domainAggregate, { type: 'RevokeDomain', at }, metadataFor(caller, at));
    if (!outcome.result.ok) return refused(outcome.result.refusal);
    await Promise.all([this.projection.caughtUpTo(outcome.position), this.directory.sync(domainStream(orgId, domain))]);
    const after = await this.existingClaim(orgId, domain);
    if (!after.ok) return after;
    const { token: _token, ...view } = after.value;
    return answer(view);
  }
}
