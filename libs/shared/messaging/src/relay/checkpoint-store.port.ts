/**
 * Where a relay (or any all-stream reader) remembers how far it got. Saved only after the work up to that
 * position is done, so a crash repeats work (at least once) and never skips it.
 */
import type { GlobalPosition } from '@leakwatch/event-store';

export interface CheckpointStore {
  /** `undefined` = never saved: start from the beginning. */
  load(name: string): Promise<GlobalPosition | undefined>;
  save(name: string, position: GlobalPosition): Promise<void>;
}

export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
