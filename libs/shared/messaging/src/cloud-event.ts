/**
 * The integration-event envelope: CloudEvents 1.0 (JSON data) plus the aggregate id that becomes the Kafka
 * message key. Domain events are mapped into this shape by the relay; consumers only ever see this shape.
 */

/** CloudEvents extension attribute names: lowercase a-z/0-9, at most 20 characters (spec recommendation). */
export const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** Context attributes defined by the spec itself; an extension may not reuse them. */
const RESERVED_ATTRIBUTES = new Set(['id', 'type', 'source', 'specversion', 'time', 'subject', 'datacontenttype', 'dataschema', 'data']);

export interface CloudEvent<Data = unknown> {
  specversion: '1.0';
  /** Unique per source: the stored event id, so consumers deduplicate redeliveries by it. */
  id: string;
  /** The persisted event type, e.g. `LeakMarkedFixed`. */
  type: string;
  /** `leakwatch/<service>`. */
  source: string;
  /** RFC 3339 time the fact occurred. */
  time?: string;
  /** The stream id the event belongs to. */
  subject?: string;
  datacontenttype: 'application/json';
  data: Data;
  /**
   * Not a CloudEvents attribute: the aggregate id used as the Kafka message key (the role of the CloudEvents
   * Partitioning extension's `partitionkey`), so all events of one aggregate stay in one partition, in order.
   */
  key: string;
  /** Extension attributes (`schemaversion`, `streamrevision`, `correlationid`, ...); string-valued. */
  extensions?: Readonly<Record<string, string>>;
}

export type CloudEventInit<Data = unknown> = Omit<CloudEvent<Data>, 'specversion' | 'datacontenttype'>;

/** Builds an envelope, checking what would otherwise fail later on the wire or at a consumer. */
export function cloudEvent<Data>(init: CloudEventInit<Data>): CloudEvent<Data> {
  const event: CloudEvent<Data> = { specversion: '1.0', datacontenttype: 'application/json', ...init };
  const problem = validateCloudEvent(event);
  if (problem) throw new TypeError(`Invalid CloudEvent ${JSON.stringify(init.id)}: ${problem}`);
  return event;
}

/** Returns why the envelope is invalid, or undefined. Never includes `data` in the message (it may be sensitive). */
export function validateCloudEvent(event: CloudEvent): string | undefined {
  if (event.specversion !== '1.0') return `unsupported specversion ${JSON.stringify(event.specversion)}`;
  for (const name of ['id', 'type', 'source', 'key'] as const) {
    if (typeof event[name] !== 'string' || event[name].length === 0) return `"${name}" must be a non-empty string`;
  }
  if (event.time !== undefined && !isRfc3339(event.time)) return `"time" is not an RFC 3339 timestamp`;
  if (event.subject !== undefined && (typeof event.subject !== 'string' || event.subject.length === 0)) {
    return `"subject" must be a non-empty string when present`;
  }
  for (const [name, value] of Object.entries(event.extensions ?? {})) {
    if (!EXTENSION_NAME.test(name) || RESERVED_ATTRIBUTES.has(name)) return `invalid extension attribute name "${name}"`;
    if (typeof value !== 'string') return `extension attribute "${name}" must be a string`;
  }
  return undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function isRfc3339(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}
