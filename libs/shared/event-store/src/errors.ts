import { ExpectedRevision } from './event-store.port';

/** The stream moved on since the writer read it: reload and decide again, or answer 409. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the last event, or -1 when the stream does not exist. */
    readonly actual: number,
    /** In a multi-stream append: every stream that conflicted (this error describes the first). */
    readonly conflicts: ReadonlyArray<{ streamId: string; expected: ExpectedRevision; actual: number }> = [{ streamId, expected, actual }],
  ) {
    super(`Stream "${streamId}": expected revision ${String(expected)}, actual ${actual < 0 ? 'no stream' : actual}`);
  }
}

/** Some (not all) of the appended event ids exist already, or exist in another stream. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly streamId: string, readonly eventIds: string[]) {
    super(`Stream "${streamId}": event id(s) already stored elsewhere or partially: ${eventIds.join(', ')}`);
  }
}

export function isWrongExpectedRevision(error: unknown): error is WrongExpectedRevisionError {
  return error instanceof WrongExpectedRevisionError;
}
