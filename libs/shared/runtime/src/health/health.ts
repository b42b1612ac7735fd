/**
 * `GET /health`: one entry per dependency (database, event store, message bus, ...). Infrastructure
 * registers its checks at start-up; 200 when all are up, 503 naming the failing one otherwise.
 */
import { Controller, Get, Global, Injectable, Module } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Public } from '../http/public.decorator';

export type HealthCheckFn = () => Promise<Record<string, unknown> | void>;

@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();

  register(name: string, check: HealthCheckFn): void {
    this.checks.set(name, check);
  }

  entries(): Array<[string, HealthCheckFn]> {
    return [...this.checks.entries()];
  }
}

@ApiTags('operations')
@Public()
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Health of the process and each dependency' })
  @ApiOkResponse({ description: 'Every dependency is up' })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency is down (named in `error`)' })
  check() {
    return this.health.check(
      this.registry.entries().map(([name, fn]) => async () => {
        const session = this.indicators.check(name);
        try {
          return session.up((await withTimeout(fn(), 3000)) ?? {});
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [HealthRegistry],
  exports: [HealthRegistry],
})
export class HealthModule {}
