import type { IncomingMessage } from 'node:http';
import { NO_ROUTE, ROUTE_PATTERN, loggablePath, routePattern } from '../src';

// The raw Node request, as the app's onRequest hook leaves it for the log serializers (Fastify's route pattern).
const request = (url: string, route?: string) => ({ url, ...(route ? { [ROUTE_PATTERN]: route } : {}) }) as unknown as IncomingMessage;

describe('which path a log line may show', () => {
  it('shows the raw path (never the query) of a request its route accepted', () => {
    expect(loggablePath(request('/api/v1/leaks/b3652f2555841f7652badd9804859f4e?as_of=x', '/api/v1/leaks/:leakid'), { statusCode: 200 })).toBe(
      '/api/v1/leaks/b3652f2555841f7652badd9804859f4e',
    );
  });

  it('shows only the route pattern when the request failed: a token pasted as an id stays out of the log', () => {
    expect(loggablePath(request('/api/v1/leaks/ghp_0123456789abcdef', '/api/v1/leaks/:leakid'), { statusCode: 400 })).toBe('/api/v1/leaks/:leakid');
    expect(loggablePath(request('/api/v1/leaks/0123456789abcdef0123456789abcdef', '/api/v1/leaks/:leakid'), { statusCode: 404 })).toBe('/api/v1/leaks/:leakid');
  });

  it('shows no path at all when no route matched (a catch-all middleware is no route)', () => {
    expect(loggablePath(request('/api/v1/ghp_0123456789abcdef'), { statusCode: 404 })).toBe(NO_ROUTE);
    expect(loggablePath(request('/api/v1/ghp_0123456789abcdef', '/*'), { statusCode: 404 })).toBe(NO_ROUTE);
    expect(routePattern(request('/x', '/*'))).toBeUndefined();
    expect(routePattern({ routeOptions: { url: '/api/v1/leaks/:leakid' } })).toBe('/api/v1/leaks/:leakid'); // a Fastify request
  });
});
