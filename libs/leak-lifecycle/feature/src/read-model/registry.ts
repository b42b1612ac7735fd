/** The leak-lifecycle projections, by runner — what the CLI rebuilds. */
import type { Projection } from '@leakwatch/projections';
import { leaksProjection } from './leaks.projection';
import { LEAK_VERSIONS_RUNNER, leakVersionsProjection } from './leak-versions.projection';

export const LEAK_PROJECTION_RUNNER = 'leak-lifecycle';
export const LEAK_PROJECTIONS: Projection[] = [leaksProjection];

/** The temporal read model (`?as_of=` on lists) has its own runner and checkpoint, so an existing store fills it from position 0. */
export { LEAK_VERSIONS_RUNNER };
export const LEAK_VERSION_PROJECTIONS: Projection[] = [leakVersionsProjection];
