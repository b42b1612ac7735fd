/**
 * Distributed mode: access-control and the gateway as separate services, each with its own database,
 * integration events over the real Kafka protocol (kafka-mock). The gateway authenticates from its own
 * access projection (fed by Kafka), forwards to access-control, and merges its OpenAPI document.
 */
import { AccessControlModule } from '@leakwatch/access-control/feature';
import { AuthModule } from '@leakwatch/auth';
import { GatewayModule } from '@leakwatch/gateway/feature';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { RunningLeakwatch, loadConfig, startLeakwatch } from '@leakwatch/runtime';
import { eventually, KafkaMock, redoclyLint, startKafkaMock, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';

const ADMIN_KEY = 'lw_distributed_admin_key_0123456789abcd';

describe('distributed mode: gateway → access-control over Kafka', () => {
  let pg: ThrowawayPostgres;
  let kafka: KafkaMock;
  let accessControl: RunningLeakwatch | undefined;
  let gateway: RunningLeakwatch;

  const call = async (method: string, path: string, key?: string, body?: unknown) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { ...(key ? { 'x-api-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
    const base = {
      ...loadConfig({ LOG_LEVEL: 'warn', KAFKA_IDEMPOTENT: 'false', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_MAX_WAIT_MS: '50' }),
      port: 0,
      kafkaBrokers: kafka.brokers,
      adminKey: ADMIN_KEY,
    };
    process.env.HOST = '127.0.0.1';
    accessControl = await startLeakwatch(
      { name: 'access-control', modules: [AuthModule.forRoot(), AccessControlModule.forRoot()] },
      { ...base, databaseUrl: await pg.newDatabase('access_control') },
    );
    gateway = await startLeakwatch(
      { name: 'gateway', modules: [AuthModule.forRoot(), GatewayModule] },
      { ...base, databaseUrl: await pg.newDatabase('gateway'), upstreams: { 'access-control': accessControl.url } },
    );
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await accessControl?.stop();
    await kafka?.stop();
    await pg?.stop();
  });

  it('the bootstrap key reaches the gateway through Kafka and works through it', async () => {
    await eventually('GET /api/v1/orgs', async () => (await call('GET', '/api/v1/orgs', ADMIN_KEY)).status === 200, (ok) => ok);
    const created = await call('POST', '/api/v1/orgs', ADMIN_KEY, { name: 'Acme' });
    expect(created).toMatchObject({ status: 201, body: { org_id: expect.any(String), name: 'Acme' } });
    expect((await call('GET', '/api/v1/orgs', ADMIN_KEY)).body.items).toEqual([expect.objectContaining({ name: 'Acme' })]);
  }, 60_000);

  it('refuses unauthenticated requests at the edge', async () => {
    expect(await call('GET', '/api/v1/orgs')).toMatchObject({ status: 401, body: { type: expect.stringContaining('missing-api-key') } });
    expect(await call('GET', '/api/v1/orgs', 'lw_wrong')).toMatchObject({ status: 401 });
  });

  it('a key issued and revoked through the gateway takes effect at the gateway', async () => {
    const org = (await call('GET', '/api/v1/orgs', ADMIN_KEY)).body.items[0].org_id;
    const issued = await call('POST', '/api/v1/api-keys', ADMIN_KEY, { name: 'analyst', role: 'analyst', org_id: org });
    expect(issued.status).toBe(201);
    await eventually('GET /api/v1/api-keys', async () => (await call('GET', '/api/v1/api-keys', issued.body.key)).status === 200, (ok) => ok);
    // Counted at the edge, so the forwarded answer carries the edge's RateLimit-* headers (issue 13.2).
    const forwarded = await call('GET', '/api/v1/api-keys', issued.body.key);
    expect(forwarded.headers.get('ratelimit-limit')).toBe('10000');
    expect(Number(forwarded.headers.get('ratelimit-remaining'))).toBeLessThan(10000);
    expect(await call('POST', '/api/v1/orgs', issued.body.key, { name: 'Nope' })).toMatchObject({ status: 403 });
    expect((await call('DELETE', `/api/v1/api-keys/${issued.body.id}`, ADMIN_KEY)).status).toBe(200);
    await eventually('GET /api/v1/api-keys', async () => (await call('GET', '/api/v1/api-keys', issued.body.key)).status === 401, (ok) => ok);
  }, 60_000);

  it('serves one OpenAPI document covering the upstream endpoints', async () => {
    await eventually('GET /docs/openapi.json', async () => Object.keys((await call('GET', '/docs/openapi.json')).body.paths).includes('/api/v1/api-keys'), (ok) => ok);
    const paths = Object.keys((await call('GET', '/docs/openapi.json')).body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/health', '/api/v1/orgs', '/api/v1/domains/{domain}/verify']));
    // The merged document is as clean as the embedded one (issue 13.1).
    const lint = await redoclyLint((await call('GET', '/docs/openapi.json')).body);
    expect(lint.problems).toEqual([]);
    expect(lint.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it("the gateway's health names each upstream: up while it answers", async () => {
    const health = await fetch(`${gateway?.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ details: { upstream_access_control: { status: 'up', url: accessControl?.url } } });
  });

  it('answers 502 problem+json when the upstream is down', async () => {
    await accessControl?.stop();
    accessControl = undefined;
    const response = await call('GET', '/api/v1/orgs', ADMIN_KEY);
    expect(response).toMatchObject({ status: 502, body: { type: expect.stringContaining('upstream-unavailable') } });
    expect(response.type).toMatch(/problem\+json/);
    // ...and the gateway's health says which upstream it is, not just 503.
    const health = await fetch(`${gateway?.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ failing: ['upstream_access_control'], details: { upstream_access_control: { status: 'down', message: expect.stringMatching(/unreachable/) } } });
  }, 30_000);
});
