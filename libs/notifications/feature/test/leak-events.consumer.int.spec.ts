/**
 * The leak-events consumer a page at a time (one insert of the page's leak owners, one lookup of owners and of
 * their live subscriptions, matched in memory) enqueues exactly the deliveries that event-by-event handling
 * enqueues — subscriptions by event type and '*', only events after a subscription was created, only the
 * owning organisation's — and a redelivered page enqueues nothing more. Real PostgreSQL, real repositories.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { CloudEvent, cloudEvent, InProcessMessageBus } from '@leakwatch/messaging';
import { keyIdOf, SecretsKeyring } from '@leakwatch/runtime';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { DeliveryLog } from '../src/application/delivery-log';
import { LeakEventsConsumer } from '../src/application/leak-events.consumer';
import type { NotificationsRuntime } from '../src/application/notifications-runtime';
import { SubscriptionsRepository } from '../src/application/subscriptions.repository';

const id = (n: number) => n.toString(16).padStart(32, '0');

/** Exposes the page handler the bus calls (protected in BusConsumer). */
class Probe extends LeakEventsConsumer {
  page(events: CloudEvent[]): Promise<void> {
    return this.handleBatch(events);
  }
}

describe('leak events consumer, a page at a time (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(async () => pg?.stop());

  async function consumer(pool: Pool, created: Date): Promise<Probe> {
    const key = randomBytes(32);
    const log = new DeliveryLog(pool);
    const subscriptions = new SubscriptionsRepository(pool, new SecretsKeyring([{ id: keyIdOf(key), key }]));
    await log.setup();
    await subscriptions.setup();
    for (const [org, types] of [['org-a', ['*']], ['org-a', ['LeakStatusChanged']], ['org-b', ['LeakDetected', 'LeakSighted']]] as const) {
      const { subscription } = await subscriptions.create({ orgId: org, url: 'https://hooks.example/x', format: 'cloudevents', eventTypes: [...types] });
      await pool.query(`UPDATE nt_subscriptions SET created_at = $2 WHERE id = $1`, [subscription.id, created]);
    }
    const runtime = { log, subscriptions, dispatcher: { wake: () => undefined }, maxAttempts: 3 } as unknown as NotificationsRuntime;
    return new Probe(runtime, new InProcessMessageBus(), 'test');
  }

  it('enqueues the deliveries of event-by-event handling, once', async () => {
    const created = new Date('2026-11-20T12:00:00.000Z');
    const at = (minute: number) => new Date(created.getTime() + minute * 60_000).toISOString();
    let seq = 0;
    // Messages as leakwatch.leaks.v1 carries them (the consumer reads them through the contract).
    const contract = (type: string, time: string): Record<string, unknown> =>
      ({
        LeakDetected: {
          kind: 'token', secret_type: 'github-pat', fingerprint: null, preview: 'ghp_…(40)', identity: null, site: null,
          source: { name: 'test', url: null }, risk: 'high', blockable: false, location: null, detected_at: time,
        },
        LeakSighted: { source: { name: 'test', url: null }, seen_at: time, location: null },
        LeakStatusChanged: { from: 'open', comment: null, reason: 'decision' },
      })[type] ?? {};
    const event = (leakid: string, type: string, time: string, data: Record<string, unknown> = {}) =>
      cloudEvent({ id: `ev-${++seq}`, type, source: 'leakwatch/test', time, data: { leakid, ...contract(type, time), ...data }, key: leakid, extensions: { streamrevision: String(seq) } });
    const events = [
      event(id(1), 'LeakDetected', at(-5), { org_id: 'org-a' }), // before the subscriptions: nobody hears of it
      event(id(2), 'LeakDetected', at(0), { org_id: 'org-a' }), // created_at <= time: heard
      event(id(3), 'LeakDetected', at(1), { org_id: 'org-b' }),
      event(id(4), 'LeakDetected', at(1), { org_id: null }), // platform-wide: nobody
      event(id(1), 'LeakStatusChanged', at(2), { to: 'fixed' }), // an earlier page's leak: its owner is looked up
      event(id(3), 'LeakSighted', at(3)),
      event(id(3), 'LeakStatusChanged', at(4), { to: 'fixed' }), // org-b did not subscribe to status changes
      event(id(2), 'VirtualPatchApplied', at(5)),
      event(id(2), 'SomethingElse', at(6)),
    ];
    const one = await pg.newPool('nt_one');
    const paged = await pg.newPool('nt_paged');
    const single = await consumer(one, created);
    for (const e of events) await single.page([e]); // one event per page: the event-by-event path
    const batched = await consumer(paged, created);
    await batched.page(events.slice(0, 4)); // owners of id(1) are known from this page only
    await batched.page(events.slice(4));
    await batched.page(events); // a redelivered page

    // Subscription ids differ between the two databases: compare (organisation, event types, event) instead.
    const rows = (pool: Pool) =>
      pool
        .query(`SELECT s.org_id, s.event_types, d.event_id, d.event_type, d.leakid, d.status FROM nt_deliveries d JOIN nt_subscriptions s ON s.id = d.subscription_id ORDER BY 3, 1, 2`)
        .then((r) => r.rows);
    const expected = await rows(one);
    expect(expected.map((r) => `${r.org_id}:${r.event_types.join('|')}:${r.event_id}`)).toEqual([
      'org-a:*:ev-2', 'org-b:LeakDetected|LeakSighted:ev-3', 'org-a:*:ev-5', 'org-a:LeakStatusChanged:ev-5', 'org-b:LeakDetected|LeakSighted:ev-6', 'org-a:*:ev-8',
    ]);
    expect(await rows(paged)).toEqual(expected);
    const owners = (pool: Pool) => pool.query(`SELECT * FROM nt_leak_orgs ORDER BY leakid`).then((r) => r.rows);
    expect(await owners(paged)).toEqual(await owners(one));
  });
});
