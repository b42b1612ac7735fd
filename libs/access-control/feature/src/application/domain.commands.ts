/**
 * Domain ownership: claim (random token + instructions), verify (DNS TXT first, then the HTTPS file),
 * revoke. The I/O of the check happens here; the decider only records the outcome.
 */
import { randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@leakwatch/authz';
import { claimableDomain, domainDecider, domainStream } from '@leakwatch/access-control/domain';
import { OwnershipChecker, challengeRecordName, challengeRecordValue, wellKnownUrl } from '@leakwatch/access-control/verification';
import { EVENT_STORE, EventStore, decideAndAppend } from '@leakwatch/event-store';
import { ProblemException } from '@leakwatch/runtime';
import { ACCESS_CONTROL_OPTIONS, AccessControlOptions } from '../access-control.options';
import { AccessQueries, DomainView } from '../read-model/access-queries';
import { AccessProjectionRunner } from './access-projection-runner';
import { metadataFor } from './actor';
import { DirectoryWriteThrough } from './directory-write-through';
import { refusalProblem } from './refusals';
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

export interface VerificationView {
  org_id: string;
  domain: string;
  status: DomainView['status'];
  method?: 'dns' | 'http';
  expires_at?: string | null;
  reason?: string;
}

export class ClaimDomainCommand {
  constructor(readonly caller: Caller, readonly domain: string, readonly orgId?: string) {}
}
export class VerifyDomainCommand {
  constructor(readonly caller: Caller, readonly domain: string, readonly orgId?: string) {}
}
export class RevokeDomainCommand {
  constructor(readonly caller: Caller, readonly domain: string, readonly orgId?: string) {}
}

function parseDomain(input: string): string {
  const domain = claimableDomain(input);
  if (!domain) {
    throw new ProblemException(400, 'invalid-domain', 'Invalid request', `"${input}" is not a domain name (e.g. acme.com).`, {
      errors: [{ field: 'domain', message: 'must be a domain name such as acme.com' }],
    });
  }
  return domain;
}

abstract class DomainHandlerBase {
  /** Property-injected so subclasses with their own constructors need not pass it along. */
  @Inject(DirectoryWriteThrough) protected readonly directory!: DirectoryWriteThrough;

  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    protected readonly queries: AccessQueries,
    protected readonly projection: AccessProjectionRunner,
  ) {}

  protected async existingClaim(orgId: string, domain: string) {
    const claim = await this.queries.findDomain(orgId, domain);
    if (!claim) throw new ProblemException(404, 'domain-not-claimed', 'Not found', `${domain} has not been claimed by this organisation.`);
    return claim;
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
export class ClaimDomainHandler extends DomainHandlerBase implements ICommandHandler<ClaimDomainCommand, { created: boolean; claim: DomainClaimView }> {
  async execute({ caller, domain: input, orgId: requested }: ClaimDomainCommand) {
    const orgId = targetOrg(caller, requested);
    const domain = parseDomain(input);
    if (!(await this.queries.orgExists(orgId))) throw new ProblemException(404, 'org-not-found', 'Not found', `No organisation ${orgId}.`);
    const token = randomBytes(24).toString('base64url');
    const at = new Date().toISOString();
    const outcome = await decideAndAppend(this.store, domainStream(orgId, domain), domainDecider, { type: 'ClaimDomain', orgId, domain, token, at }, metadataFor(caller, at));
    if (!outcome.result.ok) {
      // Claiming again while pending is harmless: answer with the instructions already issued.
      if (outcome.result.refusal === 'already_claimed' && outcome.state.status === 'pending') {
        return { created: false, claim: claimView(orgId, domain, outcome.state.token) };
      }
      throw refusalProblem(outcome.result.refusal);
    }
    await this.projection.caughtUpTo(outcome.position);
    return { created: true, claim: claimView(orgId, domain, token) };
  }
}

@CommandHandler(VerifyDomainCommand)
export class VerifyDomainHandler extends DomainHandlerBase implements ICommandHandler<VerifyDomainCommand, VerificationView> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    queries: AccessQueries,
    projection: AccessProjectionRunner,
    @Inject(OWNERSHIP_CHECKER) private readonly checker: OwnershipChecker,
    @Inject(ACCESS_CONTROL_OPTIONS) private readonly options: AccessControlOptions,
  ) {
    super(store, queries, projection);
  }

  async execute({ caller, domain: input, orgId: requested }: VerifyDomainCommand): Promise<VerificationView> {
    const orgId = targetOrg(caller, requested);
    const domain = parseDomain(input);
    const claim = await this.existingClaim(orgId, domain);
    if (claim.status === 'revoked') throw refusalProblem('domain_revoked');

    const dns = await this.checker.checkDns(domain, claim.token);
    const result = dns.verified ? dns : await this.checker.checkHttp(domain, claim.token);
    if (!result.verified) {
      const httpReason = result.method === 'http' ? result.reason : undefined;
      const reason = [!dns.verified ? `DNS: ${dns.reason}` : undefined, httpReason ? `HTTPS: ${httpReason}` : undefined].filter(Boolean).join('; ');
      return { org_id: orgId, domain, status: claim.status, expires_at: claim.expires_at, reason };
    }
    const at = new Date().toISOString();
    const outcome = await decideAndAppend(
      this.store, domainStream(orgId, domain), domainDecider,
      { type: 'RecordVerification', method: result.method, at, validForDays: this.options.verificationValidDays },
      metadataFor(caller, at),
    );
    if (!outcome.result.ok) throw refusalProblem(outcome.result.refusal);
    await Promise.all([this.projection.caughtUpTo(outcome.position), this.directory.sync(domainStream(orgId, domain))]);
    const verified = outcome.result.events[0];
    return { org_id: orgId, domain, status: 'verified', method: result.method, expires_at: verified.type === 'DomainVerified' ? verified.data.expires_at : null };
  }
}

@CommandHandler(RevokeDomainCommand)
export class RevokeDomainHandler extends DomainHandlerBase implements ICommandHandler<RevokeDomainCommand, DomainView> {
  async execute({ caller, domain: input, orgId: requested }: RevokeDomainCommand): Promise<DomainView> {
    const orgId = targetOrg(caller, requested);
    const domain = parseDomain(input);
    await this.existingClaim(orgId, domain);
    const at = new Date().toISOString();
    const outcome = await decideAndAppend(this.store, domainStream(orgId, domain), domainDecider, { type: 'RevokeDomain', at }, metadataFor(caller, at));
    if (!outcome.result.ok) throw refusalProblem(outcome.result.refusal);
    await Promise.all([this.projection.caughtUpTo(outcome.position), this.directory.sync(domainStream(orgId, domain))]);
    const { token: _token, ...view } = await this.existingClaim(orgId, domain);
    return view;
  }
}
