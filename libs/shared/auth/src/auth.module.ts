/**
 * Authentication for every service: the local access directory plus the global API-key guard.
 * Imported once per process (embedded mode mounts it once for all services).
 */
import { DynamicModule, Global, Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Pool } from 'pg';
import { PG_POOL } from '@leakwatch/runtime';
import { AccessDirectory } from './access-directory';
import { AccessDirectoryFeed } from './access-directory.feed';
import { ApiKeyGuard } from './api-key.guard';

@Global()
@Module({})
export class AuthModule implements OnModuleInit {
  constructor(private readonly directory: AccessDirectory) {}

  static forRoot(): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: AccessDirectory, inject: [PG_POOL], useFactory: (pool: Pool) => new AccessDirectory(pool) },
        ApiKeyGuard,
        AccessDirectoryFeed,
        { provide: APP_GUARD, useExisting: ApiKeyGuard },
      ],
      exports: [AccessDirectory, ApiKeyGuard],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.directory.load();
  }
}

