/**
 * What a subscription receives for one leak event: a CloudEvent in structured JSON mode
 * (`application/cloudevents+json`), or a Slack incoming-webhook message. Never a secret: leak events carry
 * none (a token's fingerprint at most), and an old credential event's password hash is dropped on the way.
 */
import { attemptCount, readLeakEventV1, withoutPasswordHash } from '@leakwatch/contracts';

export const SUBSCRIPTION_FORMATS = ['cloudevents', 'slack'] as const;
export type SubscriptionFormat = (typeof SUBSCRIPTION_FORMATS)[number];

/** The leak events a subscription may ask for (`*` = all). */
export const NOTIFIABLE_EVENT_TYPES = ['LeakDetected', 'LeakSighted', 'LeakStatusChanged', 'VirtualPatchApplied', 'VirtualPatchRemoved', 'LeakedTokenUseAttempted'] as const;

export interface LeakNotification {
  /** The leak event's id: the CloudEvent id, stable across redeliveries (receivers deduplicate by it). */
  eventId: string;
  type: string;
  leakid: string;
  orgId: string;
  time: string;
  data: Record<string, unknown>;
}

export interface StructuredCloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

export function toCloudEvent(n: LeakNotification): StructuredCloudEvent {
  // The leaks.v1 data as the contract reads it; a credential's old password hash never leaves (events recorded
  // before that rule may carry one). Data the reader does not know is passed on as it was recorded.
  const event = readLeakEventV1(n.type, { leakid: n.leakid, ...n.data });
  const data = event?.type === 'LeakDetected' ? withoutPasswordHash(event.data) : (event?.data ?? n.data);
  return {
    specversion: '1.0',
    id: n.eventId,
    source: 'leakwatch/leak-lifecycle',
    type: n.type,
    subject: n.leakid,
    time: n.time,
    datacontenttype: 'application/json',
    data: { ...data, org_id: n.orgId },
  };
}

/** Slack incoming webhooks take `{ text }` (mrkdwn); the fallback text is what notifications show. */
export function toSlackMessage(n: LeakNotification): { text: string } {
  const leak = `leak \`${n.leakid}\``;
  const event = readLeakEventV1(n.type, { leakid: n.leakid, ...n.data });
  switch (event?.type) {
    case 'LeakDetected': {
      const d = event.data;
      return { text: `:rotating_light: New ${d.risk} ${d.kind} (${d.secret_type}, ${d.preview}) from ${d.source.name}: ${leak}` };
    }
    case 'LeakSighted':
      return { text: `:eyes: ${leak} seen again in ${event.data.source.name}` };
    case 'LeakStatusChanged':
      return { text: `:white_check_mark: ${leak}: ${event.data.from} → *${event.data.to}*${event.data.comment ? ` (${event.data.comment})` : ''}` };
    case 'VirtualPatchApplied':
      return { text: `:shield: ${leak} is now blocked at the gateways (virtual patch on)` };
    case 'VirtualPatchRemoved':
      return { text: `:unlock: ${leak}: virtual patch removed` };
    case 'LeakedTokenUseAttempted': {
      const times = attemptCount(event.data);
      return { text: `:warning: Someone tried to use the leaked token of ${leak}${times > 1 ? ` ${times} times` : ''}${event.data.blocked ? ' (blocked)' : ' (NOT blocked)'}` };
    }
    default:
      return { text: `${n.type} on ${leak}` };
  }
}

export function renderBody(format: SubscriptionFormat, n: LeakNotification): { contentType: string; body: string } {
  if (format === 'slack') return { contentType: 'application/json', body: JSON.stringify(toSlackMessage(n)) };
  return { contentType: 'application/cloudevents+json; charset=utf-8', body: JSON.stringify(toCloudEvent(n)) };
}
