/**
 * Organisations, members and roles, API keys, domain verification.
 * The module is mounted by the `access-control` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';

@Module({})
export class AccessControlModule {}
