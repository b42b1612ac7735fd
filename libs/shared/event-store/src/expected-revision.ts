import { ExpectedRevision } from './event-store.port';

/** Shared rule of every adapter; `current` is the last revision or -1 for no stream. */
export function matchesExpectedRevision(expected: ExpectedRevision, current: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === -1;
    case 'stream_exists':
      return current >= 0;
    default:
      return current === expected;
  }
}

export function assertValidAppend(streamId: string, count: number, expected: ExpectedRevision): void {
  if (!streamId) throw new TypeError('streamId must be a non-empty string');
  if (count === 0) throw new TypeError(`appendToStream("${streamId}") needs at least one event`);
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < 0)) {
    throw new TypeError(`expectedRevision must be a non-negative integer, 'any', 'no_stream' or 'stream_exists'`);
  }
}

export function assertValidMultiAppend(appends: ReadonlyArray<{ streamId: string; events: unknown[]; expectedRevision: ExpectedRevision }>): void {
  if (appends.length === 0) throw new TypeError('appendToStreams needs at least one stream');
  const seen = new Set<string>();
  for (const a of appends) {
    assertValidAppend(a.streamId, a.events.length, a.expectedRevision);
    if (seen.has(a.streamId)) throw new TypeError(`appendToStreams: stream "${a.streamId}" appears twice`);
    seen.add(a.streamId);
  }
}

/** The stream category: the stream id before its first `-` (the whole id when it has none). */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

/** Whether an event passes an all-stream filter (the adapters that filter in memory use this). */
export function matchesFilter(
  event: { streamId: string; type: string },
  filter: { streamCategories?: readonly string[]; eventTypes?: readonly string[] } | undefined,
): boolean {
  if (!filter) return true;
  if (filter.streamCategories && !filter.streamCategories.includes(streamCategory(event.streamId))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
