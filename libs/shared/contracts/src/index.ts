export * from './access-events.v1';
