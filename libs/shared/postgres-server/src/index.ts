export * from './postgres-server';
export * from './postgres-binaries';
