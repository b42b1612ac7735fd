export * from './throwaway-postgres';
export * from './decider-specification';
export * from './kafka-mock';
export * from './test-dns-server';
export * from './distributed-cluster';
export * from './redocly-lint';
export * from './eventually';
export * from './api-specification';
