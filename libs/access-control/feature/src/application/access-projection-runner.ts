/** Runs access-control's projection in this process and lets commands wait for their own writes. */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_STORE, EventStore, GlobalPosition } from '@leakwatch/event-store';
import { ProjectionRunner } from '@leakwatch/projections';
import { HealthRegistry, PG_POOL } from '@leakwatch/runtime';
import { accessProjection } from '../read-model/access.projection';

@Injectable()
export class AccessProjectionRunner implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(PG_POOL) pool: Pool, private readonly health: HealthRegistry) {
    this.runner = new ProjectionRunner('access-control', store, pool, [accessProjection]);
  }

  onModuleInit(): void {
    this.health.register('access_control_projection', async () => {
      if (!this.runner.healthy) throw new Error('projection stopped; see logs');
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }

  /** Read-your-writes: the HTTP answer waits until the read model shows the command's events. */
  async caughtUpTo(position: GlobalPosition | undefined): Promise<void> {
    if (position) await this.runner.waitFor(position, 10_000);
  }
}
