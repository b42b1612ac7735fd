/**
 * Public HTTP edge: API-key authentication, rate limits, routing to the services, the token-check hot path.
 * The module is mounted by the `gateway` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';

@Module({})
export class GatewayModule {}
