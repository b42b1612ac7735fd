export * from './gateway.module';
export * from './routing/route-table';
