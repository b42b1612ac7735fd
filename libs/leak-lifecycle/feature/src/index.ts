export * from './leak-lifecycle.module';
export { LEAK_PROJECTIONS, LEAK_PROJECTION_RUNNER } from './read-model/registry';
export { derivedUuid } from './application/findings.consumer';
export { leakIntegrationMapper } from './application/leak-integration-events';
