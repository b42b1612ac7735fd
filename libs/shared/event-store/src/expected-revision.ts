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
