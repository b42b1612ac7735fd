/**
 * Stored leak events ↔ domain events. Every type is at version 1 today; a type whose shape changes gets
 * version 2 here and an upcaster from 1, and every reader of leak streams sees only the new shape.
 */
import { defineEventCodec } from '@leakwatch/decider';
import { leakDecider } from './leak.decider';
import type { LeakEvent } from './leak.events';

export const leakEventCodec = defineEventCodec<LeakEvent>({
  LeakDetected: { version: 1 },
  LeakSighted: { version: 1 },
  LeakStatusChanged: { version: 1 },
  VirtualPatchApplied: { version: 1 },
  VirtualPatchRemoved: { version: 1 },
  LeakedTokenUseAttempted: { version: 1 },
});

/** The leak aggregate as the command loop needs it: its decider and its codec. */
export const leakAggregate = { decider: leakDecider, codec: leakEventCodec };
