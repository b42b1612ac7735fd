/**
 * A provider that consumes one integration topic for the lifetime of its module, in its own consumer
 * group (`<service>.<purpose>`, so every service sees every event), from the beginning of the topic.
 * Subclasses say what to prepare first (tables their handler writes) and how to handle one event;
 * at-least-once delivery means `handle` must be idempotent.
 */
import { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { CloudEvent, MessageBus, MessageSubscription } from '@leakwatch/messaging';

export abstract class BusConsumer implements OnModuleInit, OnApplicationShutdown {
  private subscription?: MessageSubscription;

  protected constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  /** Runs before subscribing: a message may arrive as soon as we do. Nothing by default. */
  protected prepare(): Promise<void> {
    return Promise.resolve();
  }

  protected abstract handle(event: CloudEvent): Promise<void>;

  async onModuleInit(): Promise<void> {
    await this.prepare();
    this.subscription = await this.bus.subscribe({ topics: this.topic, groupId: this.groupId, fromBeginning: true, handler: (event) => this.handle(event) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
