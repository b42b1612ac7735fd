/**
 * Two dispatchers (two processes) on one delivery log, real PostgreSQL and a local receiver: every delivery is
 * sent exactly once (leases with FOR UPDATE SKIP LOCKED), and one enqueued twice (a redelivered bus message)
 * is one delivery.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { AddressPolicy } from '@leakwatch/net-policy';
import { keyIdOf, SecretsKeyring } from '@leakwatch/runtime';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { DeliveryLog } from '../src/application/delivery-log';
import { Dispatcher } from '../src/application/dispatcher';
import { SubscriptionsRepository } from '../src/application/subscriptions.repository';
import { WebhookSender } from '../src/application/webhook-sender';
import { LeakNotification, verify } from '../src/domain';

describe('dispatcher', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let server: Server;
  let url: string;
  const ids: string[] = [];
  const signaturesOk: boolean[] = [];
  let secret = '';

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('dispatcher');
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        ids.push(String(req.headers['webhook-id']));
        signaturesOk.push(verify(secret, req.headers as Record<string, string>, body).ok);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await pool?.end();
    await pg?.stop();
  });

  it('sends each delivery once with two dispatchers running', async () => {
    const key = randomBytes(32);
    const keyring = new SecretsKeyring([{ id: keyIdOf(key), key }]);
    const log = new DeliveryLog(pool);
    const subscriptions = new SubscriptionsRepository(pool, keyring);
    await log.setup();
    await subscriptions.setup();
    const created = await subscriptions.create({ orgId: 'org-1', url, format: 'cloudevents', eventTypes: ['*'] });
    secret = created.secret;
    const notifications: LeakNotification[] = Array.from({ length: 40 }, () => ({
      eventId: randomUUID(), type: 'LeakDetected', leakid: randomBytes(16).toString('hex'), orgId: 'org-1', time: new Date().toISOString(), data: {},
    }));
    for (const n of notifications) await log.enqueue([created.subscription.id], n, 3);
    expect(await log.enqueue([created.subscription.id], notifications[0], 3)).toBe(0); // the same event again: nothing new

    const sender = new WebhookSender({ policy: new AddressPolicy({ allowedAddresses: ['127.0.0.1'] }), allowInsecureHttp: true });
    const dispatchers = [1, 2].map(() => new Dispatcher(log, subscriptions, sender, { retryBaseMs: 50, pollMs: 20, pageSize: 4 }));
    dispatchers.forEach((d) => d.start());
    try {
      const deadline = Date.now() + 15_000;
      while ((await pool.query(`SELECT count(*)::int AS n FROM nt_deliveries WHERE status = 'delivered'`)).rows[0].n < 40) {
        if (Date.now() > deadline) throw new Error('not all delivered');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(signaturesOk.every(Boolean)).toBe(true);
    const { rows } = await pool.query(`SELECT DISTINCT attempts FROM nt_deliveries`);
    expect(rows).toEqual([{ attempts: 1 }]);
  });
});
