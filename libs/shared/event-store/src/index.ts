export * from './event-store.port';
export * from './position';
export * from './errors';
export { matchesExpectedRevision } from './expected-revision';
export { InMemoryEventStore } from './in-memory/in-memory-event-store';
export { PostgresEventStore, PostgresEventStoreOptions } from './postgres/postgres-event-store';
export { ensureEventStoreSchema } from './postgres/schema';
export { KurrentDbEventStore, KurrentDbEventStoreOptions, KURRENTDB_CAPABILITIES } from './kurrentdb/kurrentdb-event-store';
export * from './decide-and-append';
