/**
 * A read-model projection: `canHandle` filters by event type, `apply` writes the read model inside the
 * transaction the runner opens (which also moves the checkpoint, so a crash never half-applies an event).
 * `apply` must be idempotent — rebuilding from zero or replaying a duplicate gives the same tables.
 */
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@leakwatch/event-store';

export interface Projection {
  /** Stable name: the checkpoint key. */
  name: string;
  /** Tables this projection owns (created by `setup`, emptied by a rebuild). */
  tables: string[];
  setup(client: PoolClient): Promise<void>;
  canHandle(event: RecordedEvent): boolean;
  apply(event: RecordedEvent, client: PoolClient): Promise<void>;
}
