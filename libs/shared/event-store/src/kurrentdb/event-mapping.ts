/**
 * Translation between the port's event shapes and the KurrentDB client's: the schema version travels in
 * the event's metadata under a reserved key and is removed again on read, so `RecordedEvent.metadata`
 * is exactly what the writer gave.
 */
import {
  ANY,
  AppendStreamState,
  CurrentStreamState,
  EventData,
  JSONType,
  NO_STREAM,
  Position,
  RecordedEvent as KurrentRecordedEvent,
  ResolvedEvent,
  STREAM_EXISTS,
  jsonEvent,
} from '@kurrent/kurrentdb-client';
import { EventMetadata, ExpectedRevision, NewEvent, RecordedEvent } from '../event-store.port';
import { GlobalPosition, START } from '../position';

/**
 * Reserved metadata key. A `$` prefix keeps it out of the writers' namespace (our metadata keys are
 * snake_case); KurrentDB itself only interprets `$correlationId` / `$causationId` among `$` keys.
 */
export const SCHEMA_VERSION_KEY = '$schemaVersion';

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    // The client JSON-encodes any value; its JSONType is narrower than what the port allows.
    data: (event.data ?? null) as JSONType,
    metadata: { ...(event.metadata ?? {}), [SCHEMA_VERSION_KEY]: event.schemaVersion ?? 1 },
  });
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** The port's "actual revision": the last event's revision, or -1 when there is no stream. */
export function toActualRevision(state: CurrentStreamState | undefined): number {
  if (typeof state !== 'bigint' || state < 0n) return -1; // 'no_stream', or deleted/tombstoned markers
  return Number(state);
}

export function toClientPosition(position: GlobalPosition): Position {
  return { commit: position.commit, prepare: position.prepare };
}

/** Maps a resolved event; undefined for a link whose target is gone or anything without an event. */
export function fromResolvedEvent(resolved: Pick<ResolvedEvent, 'event' | 'commitPosition'>): RecordedEvent | undefined {
  const event = resolved.event as KurrentRecordedEvent | undefined;
  if (!event) return undefined;
  const { schemaVersion, metadata } = splitMetadata(event.metadata);
  // Stream reads carry the position on servers >= 22.6; older ones give only the commit position.
  const position: GlobalPosition = event.position
    ? { commit: event.position.commit, prepare: event.position.prepare }
    : resolved.commitPosition !== undefined
      ? { commit: resolved.commitPosition, prepare: resolved.commitPosition }
      : START;
  return {
    id: event.id,
    type: event.type,
    schemaVersion,
    streamId: event.streamId,
    revision: Number(event.revision),
    position,
    data: event.data,
    metadata,
    recordedAt: event.created,
  };
}

function splitMetadata(raw: unknown): { schemaVersion: number; metadata: EventMetadata } {
  // Events written by other tools may have no metadata, or binary / non-object metadata: keep none.
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    return { schemaVersion: 1, metadata: {} };
  }
  const { [SCHEMA_VERSION_KEY]: version, ...metadata } = raw as Record<string, unknown>;
  return {
    schemaVersion: typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : 1,
    metadata: metadata as EventMetadata,
  };
}
