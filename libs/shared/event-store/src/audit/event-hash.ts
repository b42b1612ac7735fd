/**
 * The canonical encoding of a stored event for its chain hash (issue 14.3), mirrored byte for byte from the
 * SQL function `es_event_hash` (postgres/schema.ts) so an export can be verified without a database.
 *
 * UTF-8 of these lines joined by "\n": `lw-event-v1`, `<bytes>:<stream id>`, revision, event id (lower-case
 * UUID), `<bytes>:<type>`, schema version, recorded time (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC, microseconds),
 * `<bytes>:<data>`, `<bytes>:<metadata>`, the previous hash in hex ('' at a stream's first chained event).
 * Data and metadata are the jsonb text PostgreSQL stores (`data::text`: keys ordered, spacing normalised) —
 * exports carry exactly that text, never a re-serialisation.
 */
import { createHash } from 'node:crypto';

export const EVENT_HASH_VERSION = 'lw-event-v1';

/** The recorded time in the encoding's form, computed by PostgreSQL (JavaScript dates stop at milliseconds). */
export const recordedAtSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface HashedEvent {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (recordedAtSql). */
  recordedAt: string;
  /** The stored jsonb's text (`data::text`). */
  data: string;
  metadata: string;
}

const sized = (text: string) => `${Buffer.byteLength(text, 'utf8')}:${text}`;

export function canonicalEvent(event: HashedEvent, prev: string | null): Buffer {
  return Buffer.from(
    [
      EVENT_HASH_VERSION,
      sized(event.streamId),
      String(event.revision),
      event.eventId.toLowerCase(),
      sized(event.type),
      String(event.schemaVersion),
      event.recordedAt,
      sized(event.data),
      sized(event.metadata),
      prev ?? '',
    ].join('\n'),
    'utf8',
  );
}

/** sha256 (hex) of the canonical encoding: the event's hash chained to `prev` (hex, or null). */
export function eventHash(event: HashedEvent, prev: string | null): string {
  return createHash('sha256').update(canonicalEvent(event, prev)).digest('hex');
}

/**
 * One step of the all-stream running hash kept by checkpoints: every event in all-stream order, by position and
 * hash (an unchained event contributes its hash computed with no previous one).
 */
export function allStreamStep(running: string, position: { transactionId: string; globalPosition: string }, hash: string): string {
  return createHash('sha256').update(`lw-all-v1\n${running}\n${position.transactionId}:${position.globalPosition}\n${hash}`, 'utf8').digest('hex');
}
