/** The leak-lifecycle projections, by runner — what the CLI rebuilds. */
import type { Projection } from '@leakwatch/projections';
import { leaksProjection } from './leaks.projection';

export const LEAK_PROJECTION_RUNNER = 'leak-lifecycle';
export const LEAK_PROJECTIONS: Projection[] = [leaksProjection];
