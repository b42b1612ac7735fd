export * from './server/console.module';
export * from './server/console-assets';
export * from './server/security-headers';
