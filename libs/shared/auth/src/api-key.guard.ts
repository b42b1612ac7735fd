/**
 * Authenticates every request (unless @Public) from the local access directory: unknown, revoked and
 * expired keys get 401, missing roles 403 — as problem+json, and without ever logging the key.
 *
 * A miss is answered at once from the persisted directory (`AccessDirectory.resolve`), never by waiting:
 * an unknown key costs one indexed read, not a sleep that would hold connections and time the answer.
 */
import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Caller, Role } from '@leakwatch/authz';
import { PUBLIC_ROUTE, ProblemException } from '@leakwatch/runtime';
import { AccessDirectory } from './access-directory';
import { extractApiKey, hashApiKey } from './api-key-secret';
import { HeaderSink, setRateLimitHeaders } from './rate-limit-headers';
import { USAGE_GATE, UsageGate } from './usage-gate';
import { AuthenticatedRequest, REQUIRED_ROLES } from './decorators';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly directory: AccessDirectory,
    @Optional() @Inject(USAGE_GATE) private readonly usage?: UsageGate,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | string[] | undefined> }>();
    const caller = await this.authenticate(request.headers, context.switchToHttp().getResponse<HeaderSink>());
    request.caller = caller;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(caller.role)) {
      throw new ProblemException(403, 'forbidden-role', 'Forbidden', `This operation needs one of the roles: ${roles.join(', ')}; the key's role is ${caller.role}.`);
    }
    return true;
  }

  /** `response`, when given, receives the RateLimit-* headers of a counted request (admitted or refused). */
  async authenticate(headers: Record<string, string | string[] | undefined>, response?: HeaderSink): Promise<Caller> {
    const key = extractApiKey(headers);
    if (!key) throw unauthorized('missing-api-key', 'An API key is required: send it as X-API-Key or Authorization: Bearer.');
    const found = await this.directory.resolve(hashApiKey(key));
    if (!found) throw unauthorized('invalid-api-key', 'The API key is not valid.');
    if (found.revokedAt) throw unauthorized('revoked-api-key', 'The API key has been revoked.');
    const now = new Date().toISOString();
    if (found.expiresAt && found.expiresAt <= now) throw unauthorized('expired-api-key', `The API key expired at ${found.expiresAt}.`);
    if (this.usage) {
      const decision = await this.usage.admit(found);
      setRateLimitHeaders(response, decision);
      if (!decision.allowed) {
        throw new ProblemException(429, 'rate-limited', 'Too many requests', `The key's daily limit of ${decision.limit} requests is used up.`, {
          retry_after: decision.retryAfterSeconds,
        });
      }
    }
    return {
      keyId: found.keyId,
      role: found.role,
      orgId: found.orgId ?? undefined,
      email: found.userEmail ?? undefined,
      verifiedDomains: this.directory.verifiedDomains(found.orgId, now),
    };
  }
}

function unauthorized(slug: string, detail: string): ProblemException {
  const error = new ProblemException(401, slug, 'Unauthorized', detail);
  return error;
}
