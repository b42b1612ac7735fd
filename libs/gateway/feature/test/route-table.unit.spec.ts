/**
 * Which service the gateway sends a public path to in distributed mode.
 */
import { upstreamFor } from '../src/routing/route-table';

describe('upstreamFor', () => {
  it.each([
    ['POST', '/api/v1/leaks', 'ingest'],
    ['GET', '/api/v1/leaks?limit=5', 'leak-lifecycle'],
    ['GET', '/api/v1/audit/events', 'leak-lifecycle'],
    ['POST', '/api/v1/api-keys', 'access-control'],
    ['GET', '/api/v1/stats/leaks', 'stats'],
    ['GET', '/api/v1/reports/remediation?from=2026-11-01&format=csv', 'stats'],
    ['POST', '/api/v1/notifications/subscriptions', 'notifications'],
    ['POST', '/api/v1/notifications/subscriptions/4b1c/deliveries/9f2e/redeliver', 'notifications'],
    ['GET', '/api/v1/nothing-here', null],
  ])('%s %s → %s', (method, path, service) => {
    expect(upstreamFor(method, path)).toBe(service);
  });
});
