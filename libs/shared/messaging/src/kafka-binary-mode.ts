/**
 * CloudEvents Kafka protocol binding, binary content mode: attributes travel as `ce_*` headers, the JSON
 * data is the message value, the aggregate id is the message key. Shared by the Kafka adapter and the
 * in-process bus (which stores the encoded form so embedded mode serialises exactly like Kafka).
 * Decoding never throws: a malformed message becomes an error value the consumer can log and skip.
 *
 * Why not the official `cloudevents` SDK here (issue 9 asks for it "where it fits"; checked against 10.0.0):
 * - `Kafka.toEvent` throws on bad input, and what it throws can carry the value: a non-JSON value gives
 *   `SyntaxError: Unexpected token 'p', "password=hunter2" is not valid JSON`, an unparseable `ce_time` a
 *   `RangeError`. On a consumer's hot path a message must become a reason to log (never its value) and skip.
 * - It accepts a message with no `ce_type` or `ce_source` (only a separate `validate()` notices), and rewrites
 *   `time` through `new Date(time).toISOString()` (an offset or sub-millisecond digits do not survive).
 * - It reads headers as strings; kafkajs delivers `Buffer`s (or arrays of them), on which the SDK throws a
 *   `TypeError` (`contentType.startsWith is not a function`): every header would need converting first.
 * - `Kafka.binary` returns the data object itself as the message value (kafkajs needs a string or Buffer) and
 *   adds a redundant `ce_datacontenttype` header beside `content-type`: it would need the same code around it.
 * So the SDK stays a devDependency: the tests use it as the independent judge of what goes on the wire
 * (`tools/e2e-distributed/test/integration-events.conformance.int.spec.ts`, the five-services e2e), which
 * they could not be if production encoded with it.
 */
import { CloudEvent, EXTENSION_NAME, isRfc3339 } from './cloud-event';

/** What goes on the wire; structurally compatible with kafkajs `Message`. */
export interface BinaryModeMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

type HeaderValue = Buffer | string | Array<Buffer | string> | undefined;

/** What comes off the wire; structurally compatible with kafkajs `KafkaMessage`. */
export interface IncomingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, HeaderValue>;
}

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
  /** The event id when it could be read, to correlate logs; never the value. */
  constructor(readonly reason: string, readonly eventId?: string) {
    super(`Malformed CloudEvents message${eventId ? ` ${eventId}` : ''}: ${reason}`);
  }
}

export type DecodeResult = { ok: true; event: CloudEvent } | { ok: false; error: MalformedMessageError };

const CONTENT_TYPE = 'application/json';
const KNOWN = new Set(['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_time', 'ce_subject', 'content-type']);

export function encodeBinaryMode(event: CloudEvent): BinaryModeMessage {
  const headers: Record<string, string> = {
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_specversion: event.specversion,
    'content-type': CONTENT_TYPE,
  };
  if (event.time !== undefined) headers['ce_time'] = event.time;
  if (event.subject !== undefined) headers['ce_subject'] = event.subject;
  for (const [name, value] of Object.entries(event.extensions ?? {})) headers[`ce_${name}`] = value;
  // `undefined` data has no JSON form; `null` keeps the value a valid JSON document (and never a tombstone).
  return { key: event.key, value: JSON.stringify(event.data ?? null), headers };
}

export function decodeBinaryMode(message: IncomingMessage): DecodeResult {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is Buffer | string => v !== undefined && v !== null);
    if (values.length === 0) continue;
    const texts = new Set(values.map(asText));
    if (texts.size > 1) return malformed(`header "${name}" appears with different values`);
    headers[name.toLowerCase()] = values.map(asText)[0];
  }
  const id = headers['ce_id'];
  if (!id) return malformed('missing header ce_id');
  for (const name of ['ce_type', 'ce_source', 'ce_specversion']) {
    if (!headers[name]) return malformed(`missing header ${name}`, id);
  }
  if (headers['ce_specversion'] !== '1.0') return malformed(`unsupported ce_specversion "${headers['ce_specversion']}"`, id);
  const contentType = headers['content-type'];
  // Absent content type: the JSON default of this platform (the binding allows omitting it).
  if (contentType !== undefined && !/^application\/(.+\+)?json(\s*;.*)?$/i.test(contentType)) {
    return malformed(`unsupported content-type "${contentType}"`, id);
  }
  if (headers['ce_time'] !== undefined && !isRfc3339(headers['ce_time'])) return malformed('ce_time is not RFC 3339', id);
  const key = message.key === null || message.key === undefined ? '' : asText(message.key);
  if (!key) return malformed('missing message key', id);
  if (message.value === null) return malformed('missing message value', id);

  let data: unknown;
  try {
    data = JSON.parse(asText(message.value));
  } catch {
    return malformed('message value is not valid JSON', id); // the parser's message may quote the value: drop it
  }

  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (KNOWN.has(name) || !name.startsWith('ce_')) continue;
    const extension = name.slice(3);
    if (!EXTENSION_NAME.test(extension)) return malformed(`invalid extension header "${name}"`, id);
    extensions[extension] = value;
  }

  const event: CloudEvent = {
    specversion: '1.0',
    id,
    type: headers['ce_type'],
    source: headers['ce_source'],
    datacontenttype: CONTENT_TYPE,
    data,
    key,
    ...(headers['ce_time'] !== undefined && { time: headers['ce_time'] }),
    ...(headers['ce_subject'] !== undefined && { subject: headers['ce_subject'] }),
    ...(Object.keys(extensions).length > 0 && { extensions }),
  };
  return { ok: true, event };
}

function asText(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function malformed(reason: string, eventId?: string): DecodeResult {
  return { ok: false, error: new MalformedMessageError(reason, eventId) };
}
