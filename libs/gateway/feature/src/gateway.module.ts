/**
 * Public HTTP edge: API-key authentication, routing to the services (distributed mode), the merged
 * OpenAPI docs, the token-check hot path and blocklist, and (with the usage gate) daily limits.
 * The module is mounted by the `gateway` app and by the embedded `leakwatch` app (target `all`).
 */
import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { ConsoleModule } from '@leakwatch/console';
import { LEAKWATCH_CONFIG, LeakwatchConfig, PG_POOL } from '@leakwatch/runtime';
import { UpstreamOpenApi } from './docs/upstream-openapi';
import { GatewayProxyMiddleware } from './routing/gateway-proxy.middleware';
import { AttemptRecorder } from './tokens/attempt-recorder';
import { AuthorizeController } from './tokens/authorize.controller';
import { TokenIndex } from './tokens/token-index';
import { TokenFastRoutes } from './tokens/token-fast-routes';
import { TokenIndexFeed } from './tokens/token-index.feed';
import { TokensController } from './tokens/tokens.controller';
import { UsageModule } from './usage';

@Module({
  // UsageModule is global: the guard (in AuthModule) and the proxy both need the usage gate.
  // ConsoleModule: the web console at `/` (served by the gateway in both modes).
  imports: [UsageModule, ConsoleModule],
  controllers: [TokensController, AuthorizeController],
  providers: [
    GatewayProxyMiddleware,
    UpstreamOpenApi,
    { provide: TokenIndex, inject: [PG_POOL], useFactory: (pool: Pool) => new TokenIndex(pool) },
    TokenIndexFeed,
    AttemptRecorder,
    TokenFastRoutes,
  ],
})
export class GatewayModule implements OnModuleInit {
  constructor(
    @Inject(LEAKWATCH_CONFIG) private readonly config: LeakwatchConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: GatewayProxyMiddleware,
  ) {}

  onModuleInit(): void {
    // Only with upstreams (distributed mode): in-process routes pay nothing for a proxy that would never forward.
    // The adapter's own first onRequest hook: before body parsing and the app's hooks, as the middleware was (its
    // only other hooks, CORS, versioning and the not-found check for unmatchable targets, are idle for these paths).
    if (Object.values(this.config.upstreams).some(Boolean)) (this.adapterHost.httpAdapter as unknown as FastifyAdapter).setOnRequestHook(this.proxy.hook);
  }
}
