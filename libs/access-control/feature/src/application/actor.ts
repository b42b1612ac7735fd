import type { Caller } from '@leakwatch/authz';
import type { EventMetadata } from '@leakwatch/event-store';

/** Event metadata for a command made by `caller` (who, when, which request). */
export function metadataFor(caller: Caller | 'system', at: string, correlationId?: string): EventMetadata {
  const actor =
    caller === 'system'
      ? { role: 'system' }
      : { key_id: caller.keyId, org_id: caller.orgId, role: caller.role, user_email: caller.email };
  return { occurred_at: at, actor, ...(correlationId ? { correlation_id: correlationId } : {}) };
}
