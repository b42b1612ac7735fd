export * from './access-control.module';
