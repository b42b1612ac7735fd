export * from './blocked-set';
export * from './blocklist-client';
