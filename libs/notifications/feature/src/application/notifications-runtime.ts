/**
 * The notification parts wired once per process: repositories, the SSRF-guarded sender and the dispatcher,
 * built from the typed config (SSRF exceptions, plain http for tests, retry schedule) and the secrets keyring.
 */
import { OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { AddressPolicy } from '@leakwatch/net-policy';
import { LeakwatchConfig, loadSecretsKeyring } from '@leakwatch/runtime';
import { DeliveryLog } from './delivery-log';
import { Dispatcher } from './dispatcher';
import { SubscriptionsRepository } from './subscriptions.repository';
import { WebhookSender } from './webhook-sender';

export const NOTIFICATIONS_RUNTIME = Symbol('NOTIFICATIONS_RUNTIME');

export class NotificationsRuntime implements OnApplicationShutdown {
  readonly log: DeliveryLog;
  readonly subscriptions: SubscriptionsRepository;
  readonly sender: WebhookSender;
  readonly dispatcher: Dispatcher;
  readonly maxAttempts: number;

  private constructor(pool: Pool, config: LeakwatchConfig) {
    const settings = config.notifications;
    this.maxAttempts = settings.maxAttempts;
    this.log = new DeliveryLog(pool);
    this.subscriptions = new SubscriptionsRepository(pool, loadSecretsKeyring(config.secrets).keyring);
    this.sender = new WebhookSender({ policy: new AddressPolicy({ allowedAddresses: settings.allowedAddresses }), allowInsecureHttp: settings.allowInsecureHttp });
    this.dispatcher = new Dispatcher(this.log, this.subscriptions, this.sender, { retryBaseMs: settings.retryBaseMs });
  }

  static async start(pool: Pool, config: LeakwatchConfig): Promise<NotificationsRuntime> {
    const runtime = new NotificationsRuntime(pool, config);
    await runtime.log.setup();
    await runtime.subscriptions.setup();
    runtime.dispatcher.start();
    return runtime;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
  }
}
