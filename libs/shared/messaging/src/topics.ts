/**
 * The integration topics between services and which stored streams feed them. Routing is by stream category
 * (the stream id prefix), so a new event type in an existing aggregate is published without touching this file.
 *
 * Message keys (Kafka orders per key within a partition):
 * - leaks, findings: the leak id (`leak-<leakid>`; a finding's `data.leakid`, else its stream id suffix).
 * - access: the org id, so all of an org's access changes stay in order. `org-<orgid>` → orgid;
 *   `domain-<orgid>-<domain>` → `data.org_id` (org ids and domains may both contain `-`, so the stream id
 *   alone is ambiguous; a UUID prefix is recognised as a fallback); `apikey-<keyid>` → `data.org_id` when the
 *   event carries the field (`null` = a global key → key id), else `metadata.actor.org_id`, else the key id.
 *   Events of one API key therefore share a key only if each carries `org_id` (or is done by the key's org).
 * - gateway: the API key id (`data.key_id`, else the stream id suffix).
 */
import type { RecordedEvent } from '@leakwatch/event-store';

export const TOPICS = {
  findings: 'leakwatch.findings.v1',
  leaks: 'leakwatch.leaks.v1',
  access: 'leakwatch.access.v1',
  gateway: 'leakwatch.gateway.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

export interface Route {
  topic: TopicName;
  /** The Kafka message key (aggregate id). */
  key: string;
}

/** Decides where a stored event is published; `null` = not an integration event. */
export type EventRouter = (event: Pick<RecordedEvent, 'streamId' | 'data' | 'metadata'>) => Route | null;

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=-)/i;

export const routeByStreamCategory: EventRouter = (event) => {
  const dash = event.streamId.indexOf('-');
  if (dash <= 0 || dash === event.streamId.length - 1) return null;
  const category = event.streamId.slice(0, dash);
  const rest = event.streamId.slice(dash + 1);
  const data = asRecord(event.data);
  switch (category) {
    case 'leak':
      return { topic: TOPICS.leaks, key: rest };
    case 'finding':
      return { topic: TOPICS.findings, key: stringField(data, 'leakid') ?? stringField(data, 'leak_id') ?? rest };
    case 'org':
      return { topic: TOPICS.access, key: rest };
    case 'domain':
      return { topic: TOPICS.access, key: stringField(data, 'org_id') ?? UUID_PREFIX.exec(rest)?.[0] ?? rest.split('-')[0] };
    case 'apikey': {
      if (data && 'org_id' in data) return { topic: TOPICS.access, key: stringField(data, 'org_id') ?? rest };
      return { topic: TOPICS.access, key: stringField(asRecord(event.metadata?.actor), 'org_id') ?? rest };
    }
    case 'usage':
    case 'gateway':
      return { topic: TOPICS.gateway, key: stringField(data, 'key_id') ?? rest };
    default:
      return null;
  }
};

/** The stream categories `routeByStreamCategory` sends to each topic: what a reader of these topics reads from the store. */
export const TOPIC_STREAM_CATEGORIES: Readonly<Record<TopicName, readonly string[]>> = {
  [TOPICS.findings]: ['finding'],
  [TOPICS.leaks]: ['leak'],
  [TOPICS.access]: ['org', 'domain', 'apikey'],
  [TOPICS.gateway]: ['usage', 'gateway'],
};

/** Stream categories feeding these topics; undefined when one is not a known topic (then read everything). */
export function streamCategoriesOf(topics: Iterable<string>): string[] | undefined {
  const categories: string[] = [];
  for (const topic of topics) {
    const known = TOPIC_STREAM_CATEGORIES[topic as TopicName];
    if (!known) return undefined;
    categories.push(...known);
  }
  return categories;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringField(record: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = record?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
