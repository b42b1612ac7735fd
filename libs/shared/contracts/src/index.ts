export * from './access-events.v1';
export * from './finding-events.v1';
export * from './gateway-events.v1';
export * from './leak-events.v1';
export * from './asyncapi';
export * from './vocabulary';
export * from './leak-events.v1.reader';
