/**
 * Runs the leak read models in this process; commands wait on it for read-your-writes. The temporal read model
 * (`ll_leak_versions`, behind `?as_of=` on lists) runs beside it under its own checkpoint.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_STORE, EventStore, GlobalPosition } from '@leakwatch/event-store';
import { ProjectionRunner } from '@leakwatch/projections';
import { HealthRegistry, PG_POOL } from '@leakwatch/runtime';
import { LEAK_PROJECTIONS, LEAK_PROJECTION_RUNNER, LEAK_VERSION_PROJECTIONS, LEAK_VERSIONS_RUNNER } from '../read-model/registry';

@Injectable()
export class LeaksProjectionRunner implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;
  readonly versions: ProjectionRunner;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(PG_POOL) pool: Pool, private readonly health: HealthRegistry) {
    this.runner = new ProjectionRunner(LEAK_PROJECTION_RUNNER, store, pool, LEAK_PROJECTIONS);
    this.versions = new ProjectionRunner(LEAK_VERSIONS_RUNNER, store, pool, LEAK_VERSION_PROJECTIONS);
  }

  onModuleInit(): void {
    this.health.register('leak_projections', async () => {
      if (!this.runner.healthy) throw new Error('projection stopped; see logs');
      if (!this.versions.healthy) throw new Error('leak-versions projection stopped; see logs');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    await this.versions.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.versions.stop();
    await this.runner.stop();
  }

  async caughtUpTo(position: GlobalPosition | undefined): Promise<void> {
    if (position) await this.runner.waitFor(position, 10_000);
  }
}
