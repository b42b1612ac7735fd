/**
 * An event's data as the history and the audit log show it: decoded through the leak codec (today's shape),
 * and never a credential's password hash (events recorded before that rule may still carry one).
 */
import { withoutPasswordHash } from '@leakwatch/contracts';
import type { StoredEventShape } from '@leakwatch/decider';
import { leakEventCodec } from '@leakwatch/leak-lifecycle/domain';

export function historyData(stored: StoredEventShape): unknown {
  const event = leakEventCodec.decode(stored);
  if (!event) return stored.data; // a type this version does not know: shown as stored
  return event.type === 'LeakDetected' ? withoutPasswordHash(event.data) : event.data;
}
