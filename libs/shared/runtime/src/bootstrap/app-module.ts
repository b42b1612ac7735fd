/**
 * Composes one process: observability + infrastructure + the service modules of the chosen target.
 * Like Loki's module manager: target `all` (embedded mode) hosts every service module in one process.
 */
import { DynamicModule, Module, Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LeakwatchConfig } from '../config/leakwatch-config';
import { HealthModule } from '../health/health';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { FastRoutesModule } from '../http/fast-routes';
import { OpenApiModule } from '../http/openapi-contributor';
import { LoggingModule } from '../logging/logging.module';
import { MetricsModule } from '../metrics/metrics';
import { InfoController } from './info.controller';
import { ListeningHooksModule } from './listening-hooks';

export interface LeakwatchTarget {
  /** `all` in embedded mode, else the one service this process runs. */
  name: string;
  modules: Array<Type<unknown> | DynamicModule>;
}

@Module({})
export class LeakwatchAppModule {
  static create(target: LeakwatchTarget, config: LeakwatchConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: LeakwatchAppModule,
      imports: [
        LoggingModule.forRoot({ level: config.logLevel, service: target.name }),
        CqrsModule.forRoot(),
        HealthModule,
        ListeningHooksModule,
        OpenApiModule,
        MetricsModule,
        FastRoutesModule,
        InfrastructureModule.forRoot(config, target.name),
        ...target.modules,
      ],
      controllers: [InfoController],
    };
  }
}
