/**
 * The projection runners an operator can list and rebuild: the same names and projection lists the services
 * run, imported from their features, so the CLI can never drift from what the live runners write.
 */
import { accessProjection } from '@leakwatch/access-control/feature';
import { tokenIndexReadModel } from '@leakwatch/gateway/feature';
import { LEAK_PROJECTIONS, LEAK_PROJECTION_RUNNER, LEAK_VERSION_PROJECTIONS, LEAK_VERSIONS_RUNNER, leakIntegrationMapper } from '@leakwatch/leak-lifecycle/feature';
import { TOPICS, mapperOf, topicProjection } from '@leakwatch/messaging';
import { leakOrgsReadModel } from '@leakwatch/notifications/feature';
import type { Projection } from '@leakwatch/projections';
import { apiUsageReadModel, leakStatsReadModel } from '@leakwatch/stats/feature';

export interface RunnerDefinition {
  /** The checkpoint key in `projection_checkpoints`. */
  name: string;
  /** Which service runs it live. */
  service: string;
  projections: Projection[];
  /**
   * Read models fed live by bus consumer groups (`<service>.<suffix>`) rather than a projection runner: their
   * checkpoints (messaging_checkpoints, embedded mode) are what `list` reports the lag from.
   */
  busGroups?: string[];
}

// Leak events reach the topic read models as the bus delivers them: through leak-lifecycle's integration mapper.
const leakTopic = mapperOf(TOPICS.leaks, leakIntegrationMapper);

export const RUNNERS: RunnerDefinition[] = [
  { name: LEAK_PROJECTION_RUNNER, service: 'leak-lifecycle', projections: LEAK_PROJECTIONS },
  { name: 'access-control', service: 'access-control', projections: [accessProjection] },
  { name: LEAK_VERSIONS_RUNNER, service: 'leak-lifecycle', projections: LEAK_VERSION_PROJECTIONS },
  {
    name: 'stats',
    service: 'stats',
    projections: [topicProjection(leakStatsReadModel, leakTopic), topicProjection(apiUsageReadModel)],
    busGroups: ['stats.leaks', 'stats.decisions', 'stats.usage'],
  },
  { name: 'gateway-tokens', service: 'gateway', projections: [topicProjection(tokenIndexReadModel, leakTopic)], busGroups: ['gateway.tokens.v2'] },
  { name: 'notifications', service: 'notifications', projections: [topicProjection(leakOrgsReadModel, leakTopic)], busGroups: ['notifications'] },
];

export const runnerTables = (runner: RunnerDefinition): string[] => runner.projections.flatMap((p) => p.tables);

/** The runners named (in the order given), or every runner with `all`; unknown names are an error naming the known ones. */
export function selectRunners(names: string[], all: boolean): RunnerDefinition[] {
  if (all && names.length) throw new Error('name runners or pass --all, not both');
  if (all) return RUNNERS;
  if (!names.length) throw new Error(`name the runner(s) to rebuild, or pass --all (runners: ${RUNNERS.map((r) => r.name).join(', ')})`);
  const unknown = names.filter((n) => !RUNNERS.some((r) => r.name === n));
  if (unknown.length) throw new Error(`unknown runner ${unknown.map((n) => `"${n}"`).join(', ')} (runners: ${RUNNERS.map((r) => r.name).join(', ')})`);
  return [...new Set(names)].map((n) => RUNNERS.find((r) => r.name === n) as RunnerDefinition);
}
