/**
 * Issue, rotate, revoke API keys. Who may: a global admin for anyone; an org admin only within its own
 * organisation and only org roles; analysts never. A key outside the caller's reach answers 404, so
 * another organisation's key ids are not even confirmed to exist.
 */
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@leakwatch/authz';
import { ApiKeyType, Role, apiKeyDecider, apiKeyStream, isGlobalRole } from '@leakwatch/access-control/domain';
import { apiKeyMaterial, generateApiKey } from '@leakwatch/auth';
import { EVENT_STORE, EventStore, GlobalPosition, decideAndAppend } from '@leakwatch/event-store';
import { ProblemException } from '@leakwatch/runtime';
import { AccessQueries, ApiKeyView } from '../read-model/access-queries';
import { AccessProjectionRunner } from './access-projection-runner';
import { metadataFor } from './actor';
import { DirectoryWriteThrough } from './directory-write-through';
import { refusalProblem } from './refusals';

export const DEFAULT_DAILY_LIMIT = 10_000;

export interface IssueApiKeyInput {
  name: string;
  role: Role;
  org_id?: string;
  user_email?: string;
  type?: ApiKeyType;
  limit?: number;
  expires_at?: string;
}

export type IssuedApiKey = ApiKeyView & { key: string };

export class IssueApiKeyCommand {
  constructor(readonly caller: Caller | 'system', readonly input: IssueApiKeyInput, readonly keyId: string = randomUUID(), readonly presetKey?: string) {}
}
export class RotateApiKeyCommand {
  constructor(readonly caller: Caller, readonly keyId: string) {}
}
export class RevokeApiKeyCommand {
  constructor(readonly caller: Caller, readonly keyId: string) {}
}

abstract class ApiKeyHandlerBase {
  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    protected readonly queries: AccessQueries,
    protected readonly projection: AccessProjectionRunner,
    protected readonly directory: DirectoryWriteThrough,
  ) {}

  /**
   * The key from the read model, once it shows the write at `position` (read-your-writes), and once this
   * process's authenticators apply it (a revoked key is refused before the revoke answers).
   */
  protected async view(keyId: string, position: GlobalPosition | undefined): Promise<ApiKeyView> {
    await Promise.all([this.projection.caughtUpTo(position), this.directory.sync(apiKeyStream(keyId))]);
    const view = await this.queries.findKey(keyId);
    if (!view) throw new Error(`API key ${keyId} missing from the read model after its write`);
    return view;
  }

  /** The key as the caller may see it, or 404 (foreign keys are indistinguishable from unknown ones). */
  protected async reachableKey(caller: Caller, keyId: string): Promise<ApiKeyView> {
    const key = await this.queries.findKey(keyId);
    const reachable = key && (caller.role === 'global_admin' || (caller.role === 'admin' && key.org_id === caller.orgId && !isGlobalRole(key.role as Role)));
    if (!key || !reachable) throw new ProblemException(404, 'key-not-found', 'Not found', `No API key ${keyId} in your reach.`);
    return key;
  }
}

@CommandHandler(IssueApiKeyCommand)
export class IssueApiKeyHandler extends ApiKeyHandlerBase implements ICommandHandler<IssueApiKeyCommand, IssuedApiKey> {
  async execute({ caller, input, keyId, presetKey }: IssueApiKeyCommand): Promise<IssuedApiKey> {
    const orgId = caller === 'system' ? input.org_id : this.authorize(caller, input);
    if (orgId && !(await this.queries.orgExists(orgId))) {
      throw new ProblemException(404, 'org-not-found', 'Not found', `No organisation ${orgId}.`);
    }
    const material = presetKey ? apiKeyMaterial(presetKey) : generateApiKey();
    const at = new Date().toISOString();
    const outcome = await decideAndAppend(
      this.store,
      apiKeyStream(keyId),
      apiKeyDecider,
      {
        type: 'IssueApiKey',
        at,
        key: {
          key_id: keyId, name: input.name.trim(), role: input.role, org_id: orgId ?? null, user_email: input.user_email?.toLowerCase() ?? null,
          type: input.type ?? 'private', limit: input.limit ?? DEFAULT_DAILY_LIMIT, expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null,
          key_hash: material.hash, prefix: material.prefix,
        },
      },
      metadataFor(caller, at),
    );
    if (!outcome.result.ok) throw refusalProblem(outcome.result.refusal);
    return { ...(await this.view(keyId, outcome.position)), key: material.key };
  }

  /** Returns the organisation the new key belongs to, or refuses. */
  private authorize(caller: Caller, input: IssueApiKeyInput): string | undefined {
    if (caller.role === 'global_admin') return input.org_id;
    if (caller.role !== 'admin') throw new ProblemException(403, 'forbidden-role', 'Forbidden', 'Only admins issue API keys.');
    if (isGlobalRole(input.role)) throw new ProblemException(403, 'forbidden-role', 'Forbidden', 'An organisation admin cannot issue global keys.');
    if (input.org_id && input.org_id !== caller.orgId) {
      throw new ProblemException(403, 'foreign-organization', 'Forbidden', 'An organisation admin issues keys for its own organisation only.');
    }
    return caller.orgId;
  }
}

@CommandHandler(RotateApiKeyCommand)
export class RotateApiKeyHandler extends ApiKeyHandlerBase implements ICommandHandler<RotateApiKeyCommand, IssuedApiKey> {
  async execute({ caller, keyId }: RotateApiKeyCommand): Promise<IssuedApiKey> {
    await this.reachableKey(caller, keyId);
    const secret = generateApiKey();
    const at = new Date().toISOString();
    const outcome = await decideAndAppend(
      this.store, apiKeyStream(keyId), apiKeyDecider,
      { type: 'RotateApiKey', keyId, keyHash: secret.hash, prefix: secret.prefix, at },
      metadataFor(caller, at),
    );
    if (!outcome.result.ok) throw refusalProblem(outcome.result.refusal);
    return { ...(await this.view(keyId, outcome.position)), key: secret.key };
  }
}

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler extends ApiKeyHandlerBase implements ICommandHandler<RevokeApiKeyCommand, ApiKeyView> {
  async execute({ caller, keyId }: RevokeApiKeyCommand): Promise<ApiKeyView> {
    await this.reachableKey(caller, keyId);
    const at = new Date().toISOString();
    const outcome = await decideAndAppend(this.store, apiKeyStream(keyId), apiKeyDecider, { type: 'RevokeApiKey', keyId, at }, metadataFor(caller, at));
    if (!outcome.result.ok) throw refusalProblem(outcome.result.refusal);
    return this.view(keyId, outcome.position);
  }
}
