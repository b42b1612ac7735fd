/**
 * Maps a stored event to its integration envelope. Metadata becomes CloudEvents extension attributes
 * (lowercase alphanumeric names) rather than being mixed into `data`, so `data` stays exactly the event's
 * payload. The actor's e-mail is deliberately not copied: headers are shown by every Kafka tool, and the
 * key id / org id identify the actor well enough for consumers.
 */
import type { RecordedEvent } from '@leakwatch/event-store';
import { CloudEvent, cloudEvent, isRfc3339 } from '../cloud-event';
import { Route } from '../topics';
import type { IntegrationMappers } from './integration-mappers';

export function sourceOf(service: string): string {
  return `leakwatch/${service}`;
}

/**
 * The CloudEvent a stored event is published as on its route's topic, through that topic's integration
 * mapper when it has one; `null` when the mapper does not publish the event. `partitionkey` (the CloudEvents
 * Partitioning extension) carries the aggregate id that is also the Kafka message key.
 */
export function toIntegrationCloudEvent(event: RecordedEvent, route: Route, source: string, mappers?: IntegrationMappers): CloudEvent | null {
  const mapper = mappers?.mapperFor(route.topic);
  if (!mapper) return toCloudEvent(event, route, source);
  const mapped = mapper(event);
  // A mapped event is the contract's version 1 (the topic's version), whatever the stored schema version.
  return mapped ? toCloudEvent({ ...event, type: mapped.type, data: mapped.data, schemaVersion: 1 }, route, source) : null;
}

export function toCloudEvent(event: RecordedEvent, route: Route, source: string): CloudEvent {
  const metadata = event.metadata ?? {};
  const actor = metadata.actor ?? {};
  const extensions: Record<string, string> = {
    schemaversion: String(event.schemaVersion),
    streamrevision: String(event.revision),
    partitionkey: route.key,
  };
  const optional: Array<[string, unknown]> = [
    ['correlationid', metadata.correlation_id],
    ['causationid', metadata.causation_id],
    ['actorkeyid', actor.key_id],
    ['actororgid', actor.org_id],
    ['actorrole', actor.role],
  ];
  for (const [name, value] of optional) if (typeof value === 'string' && value.length > 0) extensions[name] = value;

  return cloudEvent({
    id: event.id,
    type: event.type,
    source,
    subject: event.streamId,
    // The business time when the writer recorded one; the store's clock otherwise.
    time: isRfc3339(metadata.occurred_at) ? metadata.occurred_at : event.recordedAt.toISOString(),
    data: event.data,
    key: route.key,
    extensions,
  });
}
