/**
 * `ApiUsageRecorded`: admitted requests of one API key on one UTC day, aggregated per flush of one gateway
 * process. Stored in the stream `usage-<keyid>-<day>` (one short stream per key and day, appended to by every
 * gateway process) and published from the store to `leakwatch.gateway.v1`
 * (key = key id) by the relay, like every other integration event — never by a second write.
 * Consumers sum `requests` per (key_id, day); the stream revision makes redeliveries harmless.
 * The shape is the shared contract in `@leakwatch/contracts` (the stats context reads it).
 */
import { API_USAGE_RECORDED, ApiUsageRecordedV1 } from '@leakwatch/contracts';
import type { EventStore } from '@leakwatch/event-store';
import type { UsageBatch, UsageRecorder } from './usage-ledger.port';

export { API_USAGE_RECORDED, ApiUsageRecordedV1 };

export const usageStream = (keyId: string, day: string) => `usage-${keyId}-${day}`;

export class EventStoreUsageRecorder implements UsageRecorder {
  constructor(private readonly store: EventStore) {}

  async publish(batch: UsageBatch): Promise<void> {
    const data: ApiUsageRecordedV1 = {
      key_id: batch.keyId,
      day: batch.day,
      requests: batch.requests,
      first_request_at: batch.firstRequestAt,
      last_request_at: batch.lastRequestAt,
    };
    await this.store.appendToStream(
      usageStream(batch.keyId, batch.day),
      [{ id: batch.id, type: API_USAGE_RECORDED, schemaVersion: 1, data, metadata: { occurred_at: batch.lastRequestAt, actor: { key_id: batch.keyId, ...(batch.orgId ? { org_id: batch.orgId } : {}) } } }],
      // Several gateway processes append to one key's day stream: the order of their batches does not matter.
      { expectedRevision: 'any' },
    );
  }
}
