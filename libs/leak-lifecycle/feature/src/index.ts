export * from './leak-lifecycle.module';
export { LEAK_PROJECTIONS, LEAK_PROJECTION_RUNNER, LEAK_VERSION_PROJECTIONS, LEAK_VERSIONS_RUNNER } from './read-model/registry';
export { derivedUuid } from './application/decide-page';
export { leakIntegrationMapper } from './application/leak-integration-events';
export { leakAsOf } from './read-model/leak-as-of';
export type { LeakAsOfView, TimedEvent } from './read-model/leak-as-of';
// The list's own queries: the token-check benchmark's --explain runs them against a server's database to EXPLAIN the page query as built.
export { LeakQueries } from './read-model/leak-queries';
export type { LeakFilters } from './read-model/leak-queries';
