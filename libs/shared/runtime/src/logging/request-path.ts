/**
 * What a log line may say about a request's path. A path can carry a secret (a token pasted where a leak id
 * belongs: `GET /api/v1/leaks/ghp_…`), so the raw path is logged only for requests that a route matched and
 * that succeeded (every path parameter was valid and used); otherwise the route pattern
 * (`/api/v1/leaks/:leakid`), or `(no route)` when nothing matched. Query strings are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const NO_ROUTE = '(no route)';

/** Where the app's `onRequest` hook leaves the route pattern on the raw Node request (for the log serializers). */
export const ROUTE_PATTERN = Symbol.for('leakwatch.routePattern');

type RoutedRequest = IncomingMessage & { routeOptions?: { url?: unknown }; [ROUTE_PATTERN]?: unknown; originalUrl?: string };

/** The route pattern that handled the request, if one did (a Fastify request, or its raw Node request). */
export function routePattern(req: object): string | undefined {
  const r = req as RoutedRequest;
  const path = r.routeOptions?.url ?? r[ROUTE_PATTERN];
  // The not-found handler and catch-all wildcards (`*`) are no route.
  return typeof path === 'string' && !path.includes('*') ? path : undefined;
}

/** The path to log for a finished request (see the module comment). */
export function loggablePath(req: IncomingMessage, res: Pick<ServerResponse, 'statusCode'>): string {
  const route = routePattern(req);
  if (!route) return NO_ROUTE;
  if (res.statusCode >= 400) return route;
  return ((req as RoutedRequest).originalUrl ?? req.url ?? route).split('?')[0];
}
