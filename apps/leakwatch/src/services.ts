/**
 * The module map: every service module by name. Target `all` (embedded mode) mounts them all in one
 * process, with authentication (the access directory and API-key guard) mounted once for all of them.
 */
import { DynamicModule, Type } from '@nestjs/common';
import { AccessControlModule } from '@leakwatch/access-control/feature';
import { AuthModule } from '@leakwatch/auth';
import { GatewayModule } from '@leakwatch/gateway/feature';
import { IngestModule } from '@leakwatch/ingest/feature';
import { LeakLifecycleModule } from '@leakwatch/leak-lifecycle/feature';
import { NotificationsModule } from '@leakwatch/notifications/feature';
import { StatsModule } from '@leakwatch/stats/feature';

export const ALL_SERVICES: Record<string, Type<unknown> | DynamicModule> = {
  gateway: GatewayModule,
  ingest: IngestModule,
  'leak-lifecycle': LeakLifecycleModule,
  'access-control': AccessControlModule.forRoot(),
  stats: StatsModule,
  notifications: NotificationsModule,
};

export function embeddedModules(): Array<Type<unknown> | DynamicModule> {
  return [AuthModule.forRoot(), ...Object.values(ALL_SERVICES)];
}
