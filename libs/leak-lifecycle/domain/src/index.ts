export * from './leak.events';
export * from './leak.decider';
export * from './leak.integration-events';
export * from './leak.codec';
