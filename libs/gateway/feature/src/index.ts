export * from './gateway.module';
export * from './routing/route-table';
export { tokenIndexReadModel } from './tokens/token-index.topic';
