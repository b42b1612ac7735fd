/**
 * Distributed mode: authenticate at the edge (401 before any upstream sees the request), then forward to
 * the owning service, which authorizes with its own local access projection. Upstream failures become
 * 502/504 problems. In embedded mode no upstream is configured and every route is served in-process.
 *
 * It runs on Fastify's raw Node request and response, before any body parser: the request body is piped to the
 * upstream untouched, streamed (a report upload stays flat in memory). It is installed as the adapter's first
 * `onRequest` hook (`hook`), not as a Nest middleware mounted on every path: a middleware made every request —
 * the gateway's own token checks too — pay for @fastify/middie and Nest's middleware wrapper before routing
 * (~5% of the gateway's CPU per token check); the hook answers only paths an upstream owns and passes the rest on.
 */
import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyMiddleware, RequestHandler } from 'http-proxy-middleware';
import { ApiKeyGuard } from '@leakwatch/auth';
import { HealthRegistry, LEAKWATCH_CONFIG, LeakwatchConfig, PROBLEM_CONTENT_TYPE, ProblemException, problem } from '@leakwatch/runtime';
import { UpstreamService, isPublicPath, upstreamFor } from './route-table';
import { registerUpstreamHealth } from './upstream-health';

@Injectable()
export class GatewayProxyMiddleware implements NestMiddleware {
  private readonly logger = new Logger('GatewayProxy');
  private readonly proxies = new Map<UpstreamService, RequestHandler<Request, Response>>();

  constructor(@Inject(LEAKWATCH_CONFIG) config: LeakwatchConfig, private readonly guard: ApiKeyGuard, health: HealthRegistry) {
    registerUpstreamHealth(health, config.upstreams);
    for (const [service, target] of Object.entries(config.upstreams) as Array<[UpstreamService, string | undefined]>) {
      if (!target) continue;
      this.proxies.set(
        service,
        createProxyMiddleware<Request, Response>({
          target,
          changeOrigin: true,
          xfwd: true,
          proxyTimeout: 30_000,
          timeout: 30_000,
          on: {
            error: (error, _req, res) => {
              this.logger.warn(`upstream ${service} failed: ${error.message}`);
              const response = res as Response;
              if (!('headersSent' in response) || response.headersSent) return;
              const timedOut = /timeout|ETIMEDOUT/i.test(error.message);
              const status = timedOut ? 504 : 502;
              sendProblemJson(response, status, problem(status, timedOut ? 'upstream-timeout' : 'upstream-unavailable', timedOut ? 'Gateway timeout' : 'Bad gateway', `The ${service} service did not answer.`));
            },
          },
        }),
      );
    }
  }

  /** Fastify `onRequest` hook: proxies what an upstream owns, passes everything else on at once. */
  readonly hook = (request: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: (error?: Error) => void): void => {
    const req = request.raw as Request;
    const service = upstreamFor(req.method ?? 'GET', req.url ?? '/');
    if (!service || !this.proxies.has(service)) return done();
    req.originalUrl = req.url ?? '/';
    this.use(req, reply.raw, (error) => done(error === undefined ? undefined : (error as Error))).catch((error: Error) => done(error));
  };

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const service = upstreamFor(req.method ?? 'GET', req.originalUrl);
    const proxy = service ? this.proxies.get(service) : undefined;
    if (!proxy) return next();
    try {
      if (!isPublicPath(req.originalUrl)) await this.guard.authenticate(req.headers, res);
    } catch (error) {
      if (error instanceof ProblemException) {
        const retryAfter = (error.getResponse() as { retry_after?: unknown }).retry_after;
        if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
        // No `instance`: the raw path may hold a token pasted where an id belongs (errors never echo the URL).
        sendProblemJson(res, error.getStatus(), error.getResponse());
        return;
      }
      return next(error);
    }
    req.url = req.originalUrl; // mounted on '*': keep the full path for the upstream
    await proxy(req, res, next);
  }
}

type Request = IncomingMessage & { originalUrl: string };
type Response = ServerResponse;
type NextFunction = (error?: unknown) => void;

function sendProblemJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
