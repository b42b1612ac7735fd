export * from './api-key-secret';
export * from './access-directory';
export * from './api-key.guard';
export * from './decorators';
export * from './auth.module';
export * from './access-directory.feed';
export * from './usage-gate';
export * from './rate-limit-headers';
