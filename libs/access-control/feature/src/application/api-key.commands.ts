/**
 * Issue, rotate, revoke API keys. Who may: a global admin for anyone; an org admin only within its own
 * organisation and only org roles; analysts never. A key outside the caller's reach answers 404, so
 * another organisation's key ids are not even confirmed to exist.
 */
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@leakwatch/authz';
import { ApiKeyType, Role, apiKeyAggregate, apiKeyStream, isGlobalRole } from '@leakwatch/access-control/domain';
import { apiKeyMaterial, generateApiKey } from '@leakwatch/auth';
import { EVENT_STORE, EventStore, GlobalPosition, decideAndAppend } from '@leakwatch/event-store';
import { CLOCK, Clock } from '@leakwatch/runtime';
import { AccessQueries, ApiKeyView } from '../read-model/access-queries';
import { AccessProjectionRunner } from './access-projection-runner';
import { metadataFor } from './actor';
import { DirectoryWriteThrough } from './directory-write-through';
import { AccessResult, Refused, answer, refused } from './access-result';

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

export class IssueApiKeyCommand extends Command<AccessResult<IssuedApiKey>> {
  constructor(readonly caller: Caller | 'system', readonly input: IssueApiKeyInput, readonly keyId: string = randomUUID(), readonly presetKey?: string) {
    super();
  }
}
export class RotateApiKeyCommand extends Command<AccessResult<IssuedApiKey>> {
  constructor(readonly caller: Caller, readonly keyId: string) {
    super();
  }
}
export class RevokeApiKeyCommand extends Command<AccessResult<ApiKeyView>> {
  constructor(readonly caller: Caller, readonly keyId: string) {
    super();
  }
}

abstract class ApiKeyHandlerBase {
  /** Property-injected so the handlers need no constructors of their own. */
  @Inject(CLOCK) protected readonly clock!: Clock;

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

  /** Whether the caller may act on the key (foreign keys are refused like unknown ones). */
  protected async inReach(caller: Caller, keyId: string): Promise<Refused | undefined> {
    const key = await this.queries.findKey(keyId);
    const reachable = key && (caller.role === 'global_admin' || (caller.role === 'admin' && key.org_id === caller.orgId && !isGlobalRole(key.role as Role)));
    return reachable ? undefined : refused('key_not_in_reach', keyId);
  }
}

@CommandHandler(IssueApiKeyCommand)
export class IssueApiKeyHandler extends ApiKeyHandlerBase implements ICommandHandler<IssueApiKeyCommand, AccessResult<IssuedApiKey>> {
  async execute({ caller, input, keyId, presetKey }: IssueApiKeyCommand): Promise<AccessResult<IssuedApiKey>> {
    const target = caller === 'system' ? answer(input.org_id) : this.authorize(caller, input);
    if (!target.ok) return target;
    const orgId = target.value;
    if (orgId && !(await this.queries.orgExists(orgId))) return refused('org_not_found', orgId);
    const material = presetKey ? apiKeyMaterial(presetKey) : generateApiKey();
    const at = this.clock().toISOString();
    const outcome = await decideAndAppend(
      this.store,
      apiKeyStream(keyId),
      apiKeyAggregate,
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
    if (!outcome.result.ok) return refused(outcome.result.refusal);
    return answer({ ...(await this.view(keyId, outcome.position)), key: material.key });
  }

  /** The organisation the new key belongs to, or a refusal. */
  private authorize(caller: Caller, input: IssueApiKeyInput): AccessResult<string | undefined> {
    if (caller.role === 'global_admin') return answer(input.org_id);
    if (caller.role !== 'admin') return refused('admins_only');
    if (isGlobalRole(input.role)) return refused('org_admin_global_role');
    if (input.org_id && input.org_id !== caller.orgId) return refused('foreign_organization');
    return answer(caller.orgId);
  }
}

@CommandHandler(RotateApiKeyCommand)
export class RotateApiKeyHandler extends ApiKeyHandlerBase implements ICommandHandler<RotateApiKeyCommand, AccessResult<IssuedApiKey>> {
  async execute({ caller, keyId }: RotateApiKeyCommand): Promise<AccessResult<IssuedApiKey>> {
    const outOfReach = await this.inReach(caller, keyId);
    if (outOfReach) return outOfReach;
    const secret = generateApiKey();
    const at = this.clock().toISOString();
    const outcome = await decideAndAppend(
      this.store, apiKeyStream(keyId), apiKeyAggregate,
      { type: 'RotateApiKey', keyId, keyHash: secret.hash, prefix: secret.prefix, at },
      metadataFor(caller, at),
    );
    if (!outcome.result.ok) return refused(outcome.result.refusal);
    return answer({ ...(await this.view(keyId, outcome.position)), key: secret.key });
  }
}

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler extends ApiKeyHandlerBase implements ICommandHandler<RevokeApiKeyCommand, AccessResult<ApiKeyView>> {
  async execute({ caller, keyId }: RevokeApiKeyCommand): Promise<AccessResult<ApiKeyView>> {
    const outOfReach = await this.inReach(caller, keyId);
    if (outOfReach) return outOfReach;
    const at = this.clock().toISOString();
    const outcome = await decideAndAppend(this.store, apiKeyStream(keyId), apiKeyAggregate, { type: 'RevokeApiKey', keyId, at }, metadataFor(caller, at));
    if (!outcome.result.ok) return refused(outcome.result.refusal);
    return answer(await this.view(keyId, outcome.position));
  }
}
