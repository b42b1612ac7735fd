/**
 * The gateway's /health reports each upstream (issue 10.5): the six services as processes (@leakwatch/testing's
 * startCluster), each upstream named `upstream_<service>` and asked at its liveness endpoint. A service killed
 * with SIGKILL turns the gateway's health to 503 naming exactly that upstream (two are killed here: leak-lifecycle and notifications) (the others stay up, and their
 * routes keep working through the gateway while the dead one's answer 502); restarted, all is 200 again.
 */
import { randomBytes } from 'node:crypto';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { Cluster, databasePerService, eventually, KafkaMock, Service, SERVICES, startCluster, startKafkaMock, startThrowawayPostgres, TEST_BROKER_ENV, ThrowawayPostgres } from '@leakwatch/testing';

const ADMIN_KEY = 'lw_gateway_health_admin_key_0123456789ab';
const UPSTREAMS = SERVICES.filter((s) => s !== 'gateway');
const entry = (service: Service) => `upstream_${service.replace(/-/g, '_')}`;

describe('distributed mode: the gateway health names each upstream', () => {
  let pg: ThrowawayPostgres;
  let kafka: KafkaMock;
  let cluster: Cluster;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (route: string, key?: string): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${cluster.gatewayUrl}${route}`, { headers: key ? { 'x-api-key': key } : {}, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

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
    await eventually('the admin key at the gateway', () => get('/api/v1/orgs', ADMIN_KEY), (r) => r.status === 200, { timeoutMs: 60_000 });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await Promise.all([kafka?.stop(), pg?.stop()]);
  });

  it('every one of the five upstreams is listed, up, with its address', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    for (const service of UPSTREAMS) expect(health.body.details[entry(service)]).toEqual({ status: 'up', url: cluster.services[service].url });
    expect(Object.keys(health.body.details).filter((name) => name.startsWith('upstream_')).sort()).toEqual(UPSTREAMS.map(entry).sort());
  });

  it('killed upstreams make it 503 naming exactly those; restarted, 200 again', async () => {
    await Promise.all([cluster.kill('leak-lifecycle'), cluster.kill('notifications')]);

    const down = await get('/health');
    expect(down.status).toBe(503);
    expect(down.body.failing.sort()).toEqual(['upstream_leak_lifecycle', 'upstream_notifications']);
    for (const service of ['leak-lifecycle', 'notifications'] as const) {
      expect(down.body.details[entry(service)]).toEqual({ status: 'down', message: expect.stringMatching(new RegExp(`^${cluster.services[service].url} unreachable: .*ECONNREFUSED`)) });
    }
    for (const service of ['access-control', 'ingest', 'stats'] as const) expect(down.body.details[entry(service)]).toMatchObject({ status: 'up' });
    // The dead services' routes answer 502; the live ones still work through the gateway.
    expect(await get('/api/v1/leaks', ADMIN_KEY)).toMatchObject({ status: 502, body: { type: expect.stringContaining('upstream-unavailable') } });
    expect((await get('/api/v1/orgs', ADMIN_KEY)).status).toBe(200);

    await Promise.all([cluster.restart('leak-lifecycle'), cluster.restart('notifications')]);
    const up = await eventually('gateway /health 200 after the restarts', () => get('/health'), (r) => r.status === 200);
    for (const service of UPSTREAMS) expect(up.body.details[entry(service)]).toMatchObject({ status: 'up' });
    expect((await get('/api/v1/leaks', ADMIN_KEY)).status).toBe(200);
  }, 240_000);
});
