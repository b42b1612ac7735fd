/**
 * Distributed mode: authenticate at the edge (401 before any upstream sees the request), then forward to
 * the owning service, which authorizes with its own local access projection. Upstream failures become
 * 502/504 problems. In embedded mode no upstream is configured and every route is served in-process.
 */
import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { ClientRequest } from 'node:http';
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
            // Body parsers already consumed JSON/form bodies: write them back for the upstream.
            proxyReq: (proxyReq: ClientRequest, req: Request) => restreamBody(proxyReq, req),
            error: (error, _req, res) => {
              this.logger.warn(`upstream ${service} failed: ${error.message}`);
              const response = res as Response;
              if (response.headersSent) return;
              const timedOut = /timeout|ETIMEDOUT/i.test(error.message);
              const status = timedOut ? 504 : 502;
              response.status(status).type(PROBLEM_CONTENT_TYPE).send(
                JSON.stringify(problem(status, timedOut ? 'upstream-timeout' : 'upstream-unavailable', timedOut ? 'Gateway timeout' : 'Bad gateway', `The ${service} service did not answer.`)),
              );
            },
          },
        }),
      );
    }
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const service = upstreamFor(req.method, req.originalUrl);
    const proxy = service ? this.proxies.get(service) : undefined;
    if (!proxy) return next();
    try {
      if (!isPublicPath(req.originalUrl)) await this.guard.authenticate(req.headers, res);
    } catch (error) {
      if (error instanceof ProblemException) {
        const retryAfter = (error.getResponse() as { retry_after?: unknown }).retry_after;
        if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
        // No `instance`: the raw path may hold a token pasted where an id belongs (errors never echo the URL).
        res.status(error.getStatus()).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(error.getResponse()));
        return;
      }
      return next(error);
    }
    req.url = req.originalUrl; // mounted on '*': keep the full path for the upstream
    await proxy(req, res, next);
  }
}

function restreamBody(proxyReq: ClientRequest, req: Request): void {
  const body = (req as Request & { body?: unknown }).body;
  if (!body || typeof body !== 'object' || Object.keys(body).length === 0) return;
  const type = String(proxyReq.getHeader('content-type') ?? '');
  const data = type.includes('application/x-www-form-urlencoded')
    ? new URLSearchParams(body as Record<string, string>).toString()
    : JSON.stringify(body);
  proxyReq.setHeader('content-length', Buffer.byteLength(data));
  proxyReq.write(data);
}
