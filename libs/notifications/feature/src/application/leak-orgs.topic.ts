/**
 * `nt_leak_orgs` (which organisation ingested each leak: whose subscriptions hear of its events) as a
 * registered topic read model: LeakEventsConsumer writes it live from each page of leak events, and
 * `leakwatch projections rebuild notifications` replays the same function. The delivery log is not a read
 * model (it is work done: deliveries, attempts, answers) and is never rebuilt.
 */
import { readLeakEventV1 } from '@leakwatch/contracts';
import { CloudEvent, TOPICS, TopicReadModel } from '@leakwatch/messaging';
import { LEAK_ORGS_SCHEMA_SQL, rememberLeakOrgs } from './delivery-log';

/** The (leak, organisation) pairs a page's LeakDetected events carry (a platform-wide leak has no organisation). */
export function leakOrgPairs(messages: CloudEvent[]): Array<{ leakid: string; orgId: string }> {
  return messages.flatMap((event) => {
    const read = event.type === 'LeakDetected' ? readLeakEventV1(event.type, event.data) : undefined;
    return read?.type === 'LeakDetected' && read.data.org_id ? [{ leakid: read.data.leakid, orgId: read.data.org_id }] : [];
  });
}

export const leakOrgsReadModel: TopicReadModel = {
  name: 'notifications-leak-orgs',
  topic: TOPICS.leaks,
  tables: ['nt_leak_orgs'],
  setup: async (client) => void (await client.query(LEAK_ORGS_SCHEMA_SQL)),
  applyMessages: (messages, client) => rememberLeakOrgs(client, leakOrgPairs(messages)),
};
