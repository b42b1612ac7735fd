/**
 * Two gateway processes in front of one distributed deployment (six services as processes, a database per
 * service, Kafka protocol between them; the two gateways share the gateway's database, as replicas do).
 * Each gateway answers token checks and authenticates from its own memory (token index, access directory),
 * fed from Kafka: a virtual patch must block the token at BOTH gateways and a revoked key must be refused at
 * BOTH. With one consumer group for both replicas, each would see only its share of the partitions, so
 * several leaks and keys are used: their streams spread over the topic's three partitions.
 *
 * Also: the web console is served through the distributed gateway (page with its Content-Security-Policy,
 * hashed assets, the session endpoint).
 */
import { randomBytes } from 'node:crypto';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { Cluster, databasePerService, eventuallyDefined, KafkaMock, ServiceProcess, startCluster, startKafkaMock, startThrowawayPostgres, TEST_BROKER_ENV, ThrowawayPostgres } from '@leakwatch/testing';

const ADMIN_KEY = 'lw_gateway_replicas_admin_key_0123456789';
const LEAKS = 8;
const KEYS = 6;

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

describe('distributed mode: two gateway replicas', () => {
  let pg: ThrowawayPostgres;
  let kafka: KafkaMock;
  let cluster: Cluster;
  let second: ServiceProcess;
  let orgId: string;
  let orgAdmin: string;

  const call = async (base: string, method: string, path: string, key?: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(key ? { 'x-api-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: json };
  };
  const gateways = () => [cluster.gatewayUrl, second.url];

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
    const databases = await databasePerService(pg);
    cluster = await startCluster({
      databases,
      kafkaBrokers: kafka.brokers,
      adminKey: ADMIN_KEY,
      logLevel: 'warn',
      env: { ...TEST_BROKER_ENV, LEAKWATCH_SECRETS_KEY: randomBytes(32).toString('hex') },
    });
    second = await cluster.addReplica('gateway');
    for (const base of gateways()) {
      await eventuallyDefined(`bootstrap key works at ${base}`, async () => ((await call(base, 'GET', '/api/v1/session', ADMIN_KEY)).status === 200 ? true : undefined), { timeoutMs: 60_000 });
    }
    const org = await call(cluster.gatewayUrl, 'POST', '/api/v1/orgs', ADMIN_KEY, { name: 'Acme' });
    expect(org.status).toBe(201);
    orgId = org.body.org_id;
    const key = await call(cluster.gatewayUrl, 'POST', '/api/v1/api-keys', ADMIN_KEY, { name: 'security team', role: 'admin', org_id: orgId });
    expect(key.status).toBe(201);
    orgAdmin = key.body.key;
    for (const base of gateways()) {
      await eventuallyDefined(`org admin key works at ${base}`, async () => ((await call(base, 'GET', '/api/v1/session', orgAdmin)).status === 200 ? true : undefined), { timeoutMs: 60_000 });
    }
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await kafka?.stop();
    await pg?.stop();
  }, 60_000);

  it('a virtual patch blocks the token at both gateways', async () => {
    const tokens = Array.from({ length: LEAKS }, () => `ghp_${randomBytes(18).toString('hex')}`);
    const added = await call(cluster.gatewayUrl, 'POST', '/api/v1/leaks', orgAdmin, { source: { name: 'replicas' }, tokens: tokens.map((value) => ({ value })) });
    expect(added.status).toBe(201);
    const leakids = added.body.leakids as string[];
    expect(leakids).toHaveLength(LEAKS);
    const check = async (base: string, token: string) => (await call(base, 'POST', '/api/v1/tokens/check', orgAdmin, { token })).body;

    // Every gateway learns every leak (not only those on its partitions).
    for (const base of gateways()) {
      for (const [i, token] of tokens.entries()) {
        await eventuallyDefined(`leak ${i} known at ${base}`, async () => ((await check(base, token)).leaked ? true : undefined), { timeoutMs: 30_000 });
      }
    }
    for (const leakid of leakids) {
      expect((await call(cluster.gatewayUrl, 'POST', '/api/v1/leaks/virtual-patch', orgAdmin, { leakid, enabled: true })).status).toBe(200);
    }
    for (const base of gateways()) {
      for (const [i, token] of tokens.entries()) {
        const answer = await eventuallyDefined(`patched token ${i} blocked at ${base}`, async () => {
          const body = await check(base, token);
          return body.blocked ? body : undefined;
        }, { timeoutMs: 30_000 });
        expect(answer).toMatchObject({ leaked: true, blocked: true, leakid: leakids[i] });
      }
    }
  }, 180_000);

  it('a revoked key is refused at both gateways', async () => {
    const keys: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < KEYS; i++) {
      const issued = await call(cluster.gatewayUrl, 'POST', '/api/v1/api-keys', ADMIN_KEY, { name: `analyst ${i}`, role: 'analyst', org_id: orgId });
      expect(issued.status).toBe(201);
      keys.push({ id: issued.body.id, key: issued.body.key });
    }
    for (const base of gateways()) {
      for (const [i, { key, id }] of keys.entries()) {
        const session = await eventuallyDefined(`key ${i} works at ${base}`, async () => {
          const answer = await call(base, 'GET', '/api/v1/session', key);
          return answer.status === 200 ? answer.body : undefined;
        }, { timeoutMs: 30_000 });
        expect(session).toMatchObject({ key_id: id, role: 'analyst', org_id: orgId });
      }
    }
    for (const { id } of keys) expect((await call(cluster.gatewayUrl, 'DELETE', `/api/v1/api-keys/${id}`, ADMIN_KEY)).status).toBe(200);
    for (const base of gateways()) {
      for (const [i, { key }] of keys.entries()) {
        await eventuallyDefined(`revoked key ${i} refused at ${base}`, async () => ((await call(base, 'GET', '/api/v1/session', key)).status === 401 ? true : undefined), { timeoutMs: 30_000 });
        // ...and stays refused for an upstream call through that gateway too.
        expect((await call(base, 'GET', '/api/v1/leaks?limit=1', key)).status).toBe(401);
      }
    }
  }, 180_000);

  it('serves the web console through the distributed gateway', async () => {
    for (const base of gateways()) {
      const page = await call(base, 'GET', '/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = page.headers.get('content-security-policy');
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      const html = page.body as string;
      const assets = [...html.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1]);
      expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/^\/console\/app\.[0-9a-f]+\.js$/), expect.stringMatching(/^\/console\/app\.[0-9a-f]+\.css$/)]));
      for (const asset of assets) {
        const response = await fetch(`${base}${asset}`);
        expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
        expect(response.headers.get('cache-control')).toMatch(/immutable/);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
      const session = await call(base, 'GET', '/api/v1/session', orgAdmin);
      expect(session).toMatchObject({ status: 200, body: { role: 'admin', org_id: orgId, can_change: true } });
      expect((await call(base, 'GET', '/api/v1/session')).status).toBe(401);
    }
  }, 60_000);
});
