export * from './leak-lifecycle.module';
