export * from './backoff';
export * from './formats';
export * from './signing';
