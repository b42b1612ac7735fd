/**
 * The projection runners an operator can list and rebuild: the same names and projection lists the services
 * run, imported from their features, so the CLI can never drift from what the live runners write.
 */
import { accessProjection } from '@leakwatch/access-control/feature';
import { LEAK_PROJECTIONS, LEAK_PROJECTION_RUNNER, LEAK_VERSION_PROJECTIONS, LEAK_VERSIONS_RUNNER } from '@leakwatch/leak-lifecycle/feature';
import type { Projection } from '@leakwatch/projections';

export interface RunnerDefinition {
  /** The checkpoint key in `projection_checkpoints`. */
  name: string;
  /** Which service runs it live. */
  service: string;
  projections: Projection[];
}

export const RUNNERS: RunnerDefinition[] = [
  { name: LEAK_PROJECTION_RUNNER, service: 'leak-lifecycle', projections: LEAK_PROJECTIONS },
  { name: 'access-control', service: 'access-control', projections: [accessProjection] },
  { name: LEAK_VERSIONS_RUNNER, service: 'leak-lifecycle', projections: LEAK_VERSION_PROJECTIONS },
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
