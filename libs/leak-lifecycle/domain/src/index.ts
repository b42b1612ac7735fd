export * from './leak.events';
export * from './leak.decider';
