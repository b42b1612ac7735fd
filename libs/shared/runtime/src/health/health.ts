/**
 * `GET /health`: one entry per dependency (database, event store, message bus, ...). Infrastructure
 * registers its checks at start-up; 200 when all are up, 503 naming the failing ones otherwise (`failing`,
 * and `details` per dependency). `/health/ready` is the same; `/health/live` checks only that the process answers.
 */
import { Controller, Get, Global, Injectable, Module, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply as Response } from 'fastify';
import { ApiExtension, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Public } from '../http/public.decorator';
import { apiSchema, s } from '../http/openapi/schema-registry';

/** A dependency's state: `up` (with what its check reported, e.g. pool sizes) or `down` (with `message`). */
const DEPENDENCY = { type: 'object', properties: { status: s.enumOf(['up', 'down']), message: s.string() }, required: ['status'], additionalProperties: true };
const dependencies = () => s.map(DEPENDENCY);
const HEALTH_SCHEMA = apiSchema(
  'Health',
  s.partial(
    { status: s.enumOf(['ok', 'error', 'shutting_down']), details: dependencies() },
    { info: dependencies(), error: dependencies(), failing: s.array(s.string(), { description: 'The dependencies that are down (503 only)' }) },
  ),
);
const HEALTH_EXAMPLE = { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } };
const DOWN_EXAMPLE = { status: 'error', info: {}, error: { database: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:5432' } }, details: { database: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:5432' } }, failing: ['database'] };
const LIVENESS_SCHEMA = apiSchema('Liveness', s.object({ status: s.enumOf(['ok']), uptime_seconds: s.integer({ minimum: 0 }) }));

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
  @ApiOperation({ summary: 'Health of the process and each dependency (same as /health/ready)' })
  @ApiOkResponse({ description: 'Every dependency is up', schema: HEALTH_SCHEMA, example: HEALTH_EXAMPLE })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency is down: `failing` names it, `details` says why, per dependency', schema: HEALTH_SCHEMA, example: DOWN_EXAMPLE })
  @ApiExtension('x-error-bodies', ['503'])
  check(@Res({ passthrough: true }) res: Response) {
    return this.ready(res);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when every dependency is up, else 503 naming each failing one' })
  @ApiOkResponse({ description: 'Every dependency is up', schema: HEALTH_SCHEMA, example: HEALTH_EXAMPLE })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency is down: `failing` names it, `details` says why, per dependency', schema: HEALTH_SCHEMA, example: DOWN_EXAMPLE })
  @ApiExtension('x-error-bodies', ['503'])
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      return await this.health.check(this.indicatorsOf());
    } catch (error) {
      // Terminus throws a 503 whose body is the full result; answer with that body, not a generic problem.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      res.status(503);
      return { ...result, failing: Object.keys(result.error ?? {}) };
    }
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and answering (checks no dependency)' })
  @ApiOkResponse({ description: 'The process answers', schema: LIVENESS_SCHEMA, example: { status: 'ok', uptime_seconds: 42 } })
  live() {
    return { status: 'ok', uptime_seconds: Math.round(process.uptime()) };
  }

  private indicatorsOf() {
    return this.registry.entries().map(([name, fn]) => async () => {
      const session = this.indicators.check(name);
      try {
        return session.up((await withTimeout(fn(), 3000)) ?? {});
      } catch (error) {
        return session.down({ message: error instanceof Error ? error.message : String(error) });
      }
    });
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
