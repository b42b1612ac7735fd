/**
 * Domain events are not integration events: a topic may have a mapper that turns a stored event into the
 * versioned contract its consumers read (an explicit field-by-field mapping owned by the producing context).
 * Topics without a mapper publish the stored data as is (their stored shapes are their contracts).
 * Both the Kafka relay and the store-backed in-process bus go through the same mappers, so consumers see
 * the same messages in both modes.
 */
import type { RecordedEvent } from '@leakwatch/event-store';

export interface IntegrationEvent {
  type: string;
  data: unknown;
}

/** `null`: this stored event is not published. */
export type IntegrationMapper = (event: RecordedEvent) => IntegrationEvent | null;

export interface IntegrationMappers {
  mapperFor(topic: string): IntegrationMapper | undefined;
}

/** A registry filled by the producing contexts' modules at start-up. */
export class IntegrationMapperRegistry implements IntegrationMappers {
  private readonly mappers = new Map<string, IntegrationMapper>();

  register(topic: string, mapper: IntegrationMapper): void {
    if (this.mappers.has(topic)) throw new Error(`an integration mapper for ${topic} is already registered`);
    this.mappers.set(topic, mapper);
  }

  mapperFor(topic: string): IntegrationMapper | undefined {
    return this.mappers.get(topic);
  }
}
