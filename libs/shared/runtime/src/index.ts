export * from './postgres/postgres-server';
export * from './postgres/postgres-binaries';
