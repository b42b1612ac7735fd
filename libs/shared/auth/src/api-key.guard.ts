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
import { CLOCK, Clock, PUBLIC_ROUTE, ProblemException, systemClock } from '@leakwatch/runtime';
import { AccessDirectory, DirectoryKey } from './access-directory';
import { extractApiKey, hashApiKey } from './api-key-secret';
import { HeaderSink, setRateLimitHeaders } from './rate-limit-headers';
import { USAGE_GATE, UsageGate } from './usage-gate';
import { AuthenticatedRequest, REQUIRED_ROLES } from './decorators';

/** Most presented keys whose hash is remembered (then the memo starts over): bounds the memory an attacker can fill. */
const KEY_HASH_MEMO_SIZE = 10_000;

@Injectable()
export class ApiKeyGuard implements CanActivate {
  /**
   * Presented key → its SHA-256, for keys that resolved to a valid directory entry: saves hashing on every
   * request of a busy key. Only the hash function's result is remembered; what the key may do is looked up in
   * the directory by that hash on every request, so revocation, rotation and expiry take effect as before.
   * In memory only (never logged or stored), bounded, and a key is forgotten as soon as it fails to authenticate.
   */
  private readonly keyHashes = new Map<string, string>();
  /** Per route handler: @Public and the required roles (metadata does not change after start-up). */
  private readonly routeRules = new WeakMap<object, { cls: object; isPublic: boolean; roles: Role[] | undefined }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly directory: AccessDirectory,
    @Optional() @Inject(USAGE_GATE) private readonly usage?: UsageGate,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, roles } = this.rulesOf(context);
    if (isPublic) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest & { headers: Record<string, string | string[] | undefined> }>();
    const caller = await this.authenticate(request.headers, http.getResponse<HeaderSink>());
    request.caller = caller;
    if (roles && !roles.includes(caller.role)) {
      throw new ProblemException(403, 'forbidden-role', 'Forbidden', `This operation needs one of the roles: ${roles.join(', ')}; the key's role is ${caller.role}.`);
    }
    return true;
  }

  private rulesOf(context: ExecutionContext): { isPublic: boolean; roles: Role[] | undefined } {
    const handler = context.getHandler();
    const cls = context.getClass();
    const known = this.routeRules.get(handler);
    if (known && known.cls === cls) return known;
    const targets = [handler, cls];
    const rules = {
      cls,
      isPublic: Boolean(this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)),
      roles: this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets),
    };
    this.routeRules.set(handler, rules);
    return rules;
  }

  /** `response`, when given, receives the RateLimit-* headers of a counted request (admitted or refused). */
  async authenticate(headers: Record<string, string | string[] | undefined>, response?: HeaderSink): Promise<Caller> {
    const { found, now } = await this.validKey(headers);
    if (this.usage) {
      const decision = await this.usage.admit(found);
      setRateLimitHeaders(response, decision);
      if (!decision.allowed) {
        throw new ProblemException(429, 'rate-limited', 'Too many requests', `The key's daily limit of ${decision.limit} requests is used up.`, {
          retry_after: decision.retryAfterSeconds,
        });
      }
    }
    return this.callerOf(found, now);
  }

  /**
   * `then(caller)` for the hot gateway routes: in this turn of the event loop when the guard can decide now (a key
   * seen before, usable now, admitted from the usage lease this process holds), else once `authenticate` has
   * decided — which also gives every refusal (401, 429) as always.
   */
  whenAuthenticated<T>(headers: Record<string, string | string[] | undefined>, response: HeaderSink | undefined, then: (caller: Caller) => T): T | Promise<T> {
    const caller = this.authenticateNow(headers, response);
    return caller ? then(caller) : this.authenticate(headers, response).then(then);
  }

  /** The caller decided without awaiting, or undefined with nothing counted (first sight of a key, unusable, an empty lease). */
  private authenticateNow(headers: Record<string, string | string[] | undefined>, response?: HeaderSink): Caller | undefined {
    const key = extractApiKey(headers);
    const hash = key === undefined ? undefined : this.keyHashes.get(key);
    const found = hash === undefined ? undefined : this.directory.findByHash(hash);
    const now = this.clock().toISOString();
    if (!found || !usable(found, now)) return undefined;
    if (this.usage) {
      const decision = this.usage.admitNow?.(found);
      if (!decision) return undefined;
      setRateLimitHeaders(response, decision);
    }
    return this.callerOf(found, now);
  }

  private callerOf(found: DirectoryKey, now: string): Caller {
    return {
      keyId: found.keyId,
      role: found.role,
      orgId: found.orgId ?? undefined,
      email: found.userEmail ?? undefined,
      verifiedDomains: this.directory.verifiedDomains(found.orgId, now),
    };
  }

  /**
   * For a request that waits before it answers (a long-poll): throws the 401 the guard would throw now if the
   * presented key was revoked, rotated away or expired while it waited. Counts no usage (the request was
   * counted when it arrived).
   */
  async confirm(headers: Record<string, string | string[] | undefined>): Promise<void> {
    await this.validKey(headers);
  }

  /** The directory entry of the presented key, if it is valid now; else the 401 that says why. */
  private async validKey(headers: Record<string, string | string[] | undefined>): Promise<{ found: DirectoryKey; now: string }> {
    const key = extractApiKey(headers);
    if (!key) throw unauthorized('missing-api-key', 'An API key is required: send it as X-API-Key or Authorization: Bearer.');
    const hash = this.keyHashes.get(key) ?? hashApiKey(key);
    const found = this.directory.findByHash(hash) ?? (await this.directory.resolve(hash)); // memory first, without a turn of the loop
    const now = this.clock().toISOString();
    if (!found || !usable(found, now)) {
      this.keyHashes.delete(key);
      if (!found) throw unauthorized('invalid-api-key', 'The API key is not valid.');
      if (found.revokedAt) throw unauthorized('revoked-api-key', 'The API key has been revoked.');
      throw unauthorized('expired-api-key', `The API key expired at ${found.expiresAt}.`);
    }
    if (!this.keyHashes.has(key)) {
      if (this.keyHashes.size >= KEY_HASH_MEMO_SIZE) this.keyHashes.clear();
      this.keyHashes.set(key, hash);
    }
    return { found, now };
  }
}

/** A known key the guard lets through at `now`: not revoked, not expired (validKey says which, when not). */
function usable(found: DirectoryKey, now: string): boolean {
  return !found.revokedAt && !(found.expiresAt && found.expiresAt <= now);
}

function unauthorized(slug: string, detail: string): ProblemException {
  const error = new ProblemException(401, slug, 'Unauthorized', detail);
  return error;
}
