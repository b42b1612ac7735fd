/**
 * First start with an empty store: create the platform's first global_admin key — LEAKWATCH_ADMIN_KEY if
 * set, else a random key printed ONCE to stdout (never to the structured log). A fixed key id makes this
 * idempotent across restarts and across several access-control processes starting together.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { apiKeyStream } from '@leakwatch/access-control/domain';
import { generateApiKey } from '@leakwatch/auth';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { ProblemException } from '@leakwatch/runtime';
import { ACCESS_CONTROL_OPTIONS, AccessControlOptions } from '../access-control.options';
import { IssueApiKeyCommand } from './api-key.commands';

export const BOOTSTRAP_KEY_ID = '00000000-0000-4000-8000-000000000001';

@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapAdminKey');

  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCESS_CONTROL_OPTIONS) private readonly options: AccessControlOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.store.readStream(apiKeyStream(BOOTSTRAP_KEY_ID), { maxCount: 1 })).length) return;
    const key = this.options.adminKey ?? generateApiKey().key;
    try {
      await this.commands.execute(new IssueApiKeyCommand('system', { name: 'bootstrap global admin', role: 'global_admin', limit: 1_000_000 }, BOOTSTRAP_KEY_ID, key));
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 409) return; // another process won the race
      throw error;
    }
    this.logger.log('bootstrap global_admin key created');
    if (!this.options.adminKey) {
      process.stdout.write(
        `\n  Leakwatch: first start. Your global_admin API key (shown once, store it now):\n\n    ${key}\n\n` +
          `  Use it as the X-API-Key header. Set LEAKWATCH_ADMIN_KEY to choose it yourself on a fresh install.\n\n`,
      );
    }
  }
}
