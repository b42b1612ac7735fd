/**
 * A position in the all-stream. Two numbers, as in KurrentDB: `commit` orders first, `prepare` breaks ties.
 * The PostgreSQL adapter maps them to (transaction id, insert sequence), which is what lets a reader
 * never skip an event whose transaction committed after a later-numbered one.
 */
export interface GlobalPosition {
  commit: bigint;
  prepare: bigint;
}

export const START: GlobalPosition = Object.freeze({ commit: 0n, prepare: 0n });

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** Text form for checkpoints and cursors: `<commit>/<prepare>`. */
export function encodePosition(position: GlobalPosition): string {
  return `${position.commit}/${position.prepare}`;
}

export function decodePosition(text: string): GlobalPosition {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`Invalid event store position "${text}": expected "<commit>/<prepare>"`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}
