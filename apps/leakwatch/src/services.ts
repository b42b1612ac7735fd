/**
 * The module map: every service module by name. Target `all` (embedded mode) mounts them all in one process.
 */
import { GatewayModule } from '@leakwatch/gateway/feature';
import { IngestModule } from '@leakwatch/ingest/feature';
import { LeakLifecycleModule } from '@leakwatch/leak-lifecycle/feature';
import { AccessControlModule } from '@leakwatch/access-control/feature';
import { StatsModule } from '@leakwatch/stats/feature';

export const ALL_SERVICES = {
  'gateway': GatewayModule,
  'ingest': IngestModule,
  'leak-lifecycle': LeakLifecycleModule,
  'access-control': AccessControlModule,
  'stats': StatsModule,
};
