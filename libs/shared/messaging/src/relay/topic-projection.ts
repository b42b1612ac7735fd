/**
 * A read model fed by an integration topic (statistics, the gateway's token index, notifications' leak
 * owners…) as a registered projection. Live, a BusConsumer hands it each page the bus delivers, in one
 * transaction; rebuilt (`leakwatch projections rebuild`), the same `applyMessages` gets the same messages,
 * made from the stored events exactly as the bus makes them (route, integration mapper, CloudEvent), a page
 * of events per transaction. One code path for both, so a rebuild gives the rows the live run gave.
 */
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@leakwatch/event-store';
import type { Projection } from '@leakwatch/projections';
import type { CloudEvent } from '../cloud-event';
import { TOPIC_STREAM_CATEGORIES, TopicName, routeByStreamCategory } from '../topics';
import type { IntegrationMappers } from './integration-mappers';
import { sourceOf, toIntegrationCloudEvent } from './to-cloud-event';

export interface TopicReadModel {
  /** Projection name (logs, parked events). */
  name: string;
  /** The topic it reads. */
  topic: TopicName;
  /** Tables it owns: created by `setup`, emptied by a rebuild. */
  tables: string[];
  setup(client: PoolClient): Promise<void>;
  /**
   * A page of the topic's messages, in order, inside the caller's transaction: set-based, idempotent (a
   * replayed page changes nothing), the same rows as the messages one by one.
   */
  applyMessages(messages: CloudEvent[], client: PoolClient): Promise<void>;
}

/** The read model as a projection over stored events: the messages the bus would deliver for them. */
export function topicProjection(model: TopicReadModel, mappers?: IntegrationMappers): Projection {
  const source = sourceOf('rebuild');
  const messages = (events: RecordedEvent[]) =>
    events.flatMap((event) => {
      const route = routeByStreamCategory(event);
      return (route?.topic === model.topic && toIntegrationCloudEvent(event, route, source, mappers)) || [];
    });
  return {
    name: model.name,
    tables: model.tables,
    filter: { streamCategories: [...TOPIC_STREAM_CATEGORIES[model.topic]] },
    setup: (client) => model.setup(client),
    canHandle: (event) => routeByStreamCategory(event)?.topic === model.topic,
    apply: (event, client) => model.applyMessages(messages([event]), client),
    applyPage: (events, client) => model.applyMessages(messages(events), client),
  };
}

/** One topic's integration mapper as the `IntegrationMappers` a projection needs (the CLI wires the producer's). */
export const mapperOf = (topic: TopicName, mapper: NonNullable<ReturnType<IntegrationMappers['mapperFor']>>): IntegrationMappers => ({
  mapperFor: (t) => (t === topic ? mapper : undefined),
});
