/**
 * A page of findings becomes leaks in one go (decide-page.ts): each finding is a `RecordFinding` command on its
 * leak; event ids derive from the finding's message id, so a redelivered finding is a no-op.
 */
import type { FindingReceivedV1 } from '@leakwatch/contracts';
import type { EventMetadata, EventStore } from '@leakwatch/event-store';
import { LeakMessage, decidePage } from './decide-page';

export interface FindingMessage {
  /** The integration message id (the finding's event id). */
  id: string;
  finding: FindingReceivedV1;
  metadata: EventMetadata;
}

export interface RecordFindingsResult {
  /** Events appended (0 for a redelivered page). */
  appended: number;
  /** Decide-and-append rounds (> 1 after a concurrent change). */
  attempts: number;
}

export async function recordFindings(store: EventStore, messages: FindingMessage[], maxAttempts = 10): Promise<RecordFindingsResult> {
  const { appended, attempts } = await decidePage(store, messages.map(toLeakMessage), maxAttempts);
  return { appended, attempts };
}

function toLeakMessage({ id, finding, metadata }: FindingMessage): LeakMessage {
  const { found_at, batch_id: _batch, ...rest } = finding;
  return { id, leakid: finding.leakid, metadata, command: { type: 'RecordFinding', finding: { ...rest, location: rest.location ?? null }, at: found_at } };
}
