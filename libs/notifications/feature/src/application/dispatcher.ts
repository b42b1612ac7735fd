/**
 * Sends due deliveries: leases a page from the delivery log, signs and POSTs each (in parallel, bounded),
 * records the outcome, and schedules retries with exponential backoff until the attempt limit. Woken right
 * after new deliveries are enqueued, and by a short poll for retries that come due; stops cleanly.
 */
import { Logger } from '@nestjs/common';
import { renderBody, retryDelayMs, signedHeaders } from '../domain';
import { DeliveryLog, DueDelivery } from './delivery-log';
import { SubscriptionsRepository } from './subscriptions.repository';
import { WebhookSender } from './webhook-sender';

export interface DispatcherSettings {
  retryBaseMs: number;
  /** How often due retries are looked for when nothing wakes the dispatcher. */
  pollMs?: number;
  pageSize?: number;
}

export class Dispatcher {
  private readonly logger = new Logger('NotificationDispatcher');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly log: DeliveryLog,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly sender: WebhookSender,
    private readonly settings: DispatcherSettings,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Run a pass now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .catch((error) => this.logger.error(`delivery pass failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else this.timer = setTimeout(() => this.wake(), this.settings.pollMs ?? 1000);
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = await this.log.leaseDue(this.settings.pageSize ?? 16);
      if (due.length === 0 || this.stopped) return;
      await Promise.all(due.map((delivery) => this.attempt(delivery)));
    }
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    let target: Awaited<ReturnType<SubscriptionsRepository['target']>>;
    try {
      target = await this.subscriptions.target(delivery.subscriptionId);
    } catch (error) {
      // The secret's key is not in the keyring: no retry will fix that until an operator does.
      await this.log.attemptFailed(delivery.id, { error: `cannot sign: ${(error as Error).message}` }, undefined);
      return;
    }
    if (!target) return this.log.cancelled(delivery.id);
    const { contentType, body } = renderBody(target.format, delivery.notification);
    const headers = { 'content-type': contentType, ...signedHeaders(target.secret, delivery.id, Math.floor(Date.now() / 1000), body) };
    const outcome = await this.sender.send(target.url, headers, body);
    if (outcome.ok) return this.log.delivered(delivery.id, outcome.status);
    const attempts = delivery.attempts + 1;
    const retry = outcome.retryable && attempts < delivery.attemptLimit ? retryDelayMs(attempts, this.settings.retryBaseMs) : undefined;
    await this.log.attemptFailed(delivery.id, outcome, retry);
  }
}
