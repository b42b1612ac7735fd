/**
 * Public HTTP edge: API-key authentication, routing to the services (distributed mode), the merged
 * OpenAPI docs; later the token-check hot path and rate limits.
 * The module is mounted by the `gateway` app and by the embedded `leakwatch` app (target `all`).
 */
import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { OPENAPI_CONTRIBUTOR } from '@leakwatch/runtime';
import { UpstreamOpenApi } from './docs/upstream-openapi';
import { GatewayProxyMiddleware } from './routing/gateway-proxy.middleware';

@Module({
  providers: [GatewayProxyMiddleware, UpstreamOpenApi, { provide: OPENAPI_CONTRIBUTOR, useExisting: UpstreamOpenApi }],
  exports: [OPENAPI_CONTRIBUTOR],
})
export class GatewayModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(GatewayProxyMiddleware).forRoutes('*path');
  }
}
