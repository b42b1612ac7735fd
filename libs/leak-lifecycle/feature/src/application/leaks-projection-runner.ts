/** Runs the leak read models in this process; commands wait on it for read-your-writes. */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_STORE, EventStore, GlobalPosition } from '@leakwatch/event-store';
import { ProjectionRunner } from '@leakwatch/projections';
import { HealthRegistry, PG_POOL } from '@leakwatch/runtime';
import { LEAK_PROJECTIONS, LEAK_PROJECTION_RUNNER } from '../read-model/registry';

@Injectable()
export class LeaksProjectionRunner implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(PG_POOL) pool: Pool, private readonly health: HealthRegistry) {
    this.runner = new ProjectionRunner(LEAK_PROJECTION_RUNNER, store, pool, LEAK_PROJECTIONS);
  }

  onModuleInit(): void {
    this.health.register('leak_projections', async () => {
      if (!this.runner.healthy) throw new Error('projection stopped; see logs');
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }

  async caughtUpTo(position: GlobalPosition | undefined): Promise<void> {
    if (position) await this.runner.waitFor(position, 10_000);
  }
}
