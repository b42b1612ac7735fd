/**
 * First start with an empty store: create the platform's first global_admin key — LEAKWATCH_ADMIN_KEY if
 * set, else a random key printed ONCE to stdout (never to the structured log). A fixed key id makes this
 * idempotent across restarts and across several access-control processes starting together.
 *
 * Only once the process is listening (a ListeningHooks task): a start that fails before — a busy port — must not
 * create a key it never prints, or the next start would find it and print none. The key is printed after the
 * store has it. `/health` reports `bootstrap_admin_key` down until then, so "healthy" means "the key works".
 * Lost it anyway? `leakwatch keys bootstrap` (local database access) rotates it and prints the new one.
 */
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { apiKeyStream } from '@leakwatch/access-control/domain';
import { generateApiKey } from '@leakwatch/auth';
import { EVENT_STORE, EventStore, WrongExpectedRevisionError } from '@leakwatch/event-store';
import { HealthRegistry, ListeningHooks, SERVICE_NAME } from '@leakwatch/runtime';
import { AccessResult, refused } from './access-result';
import { ACCESS_CONTROL_OPTIONS, AccessControlOptions } from '../access-control.options';
import { IssueApiKeyCommand } from './api-key.commands';

export const BOOTSTRAP_KEY_ID = '00000000-0000-4000-8000-000000000001';

@Injectable()
export class BootstrapAdminKey implements OnModuleInit {
  private readonly logger = new Logger('BootstrapAdminKey');
  private stored = false;

  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCESS_CONTROL_OPTIONS) private readonly options: AccessControlOptions,
    private readonly listening: ListeningHooks,
    private readonly health: HealthRegistry,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  onModuleInit(): void {
    this.listening.register('bootstrap admin key', (url) => this.ensure(url));
    this.health.register('bootstrap_admin_key', async () => {
      if (!this.stored) throw new Error('not created yet (created once the process listens)');
    });
  }

  /** `url`: where this process listens (the console is at its `/` in embedded mode, at the gateway's otherwise). */
  async ensure(url?: string): Promise<void> {
    if ((await this.store.readStream(apiKeyStream(BOOTSTRAP_KEY_ID), { maxCount: 1 })).length) {
      this.stored = true;
      return;
    }
    const key = this.options.adminKey ?? generateApiKey().key;
    let issued: AccessResult<unknown>;
    try {
      // Answers once the key is in the store and in this process's read model: it works when printed.
      issued = await this.commands.execute(new IssueApiKeyCommand('system', { name: 'bootstrap global admin', role: 'global_admin', limit: 1_000_000 }, BOOTSTRAP_KEY_ID, key));
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      issued = refused('key_exists'); // another process appended first
    }
    if (!issued.ok) {
      if (issued.refusal !== 'key_exists') throw new Error(`the bootstrap admin key was refused: ${issued.refusal}`);
      this.stored = true; // another process won the race (and printed its key)
      return;
    }
    this.stored = true;
    this.logger.log('bootstrap global_admin key created');
    if (!this.options.adminKey) {
      const consoleAt = this.service === 'all' && url ? `${url.replace(/\/$/, '')}/` : "the gateway's address, path /";
      process.stdout.write(
        `\n  Leakwatch: first start. Your global_admin API key (shown once, store it now):\n\n    ${key}\n\n` +
          `  Open the web console at ${consoleAt} and sign in with it, or use it as the X-API-Key header of API calls.\n` +
          `  Set LEAKWATCH_ADMIN_KEY to choose it yourself on a fresh install.\n` +
          `  Lost it? With access to the database: npm run leakwatch -- keys bootstrap\n\n`,
      );
    }
  }
}
