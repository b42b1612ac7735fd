export * from './usage.module';
export * from './leased-usage-gate';
export * from './postgres-usage-ledger';
export * from './usage-events';
export * from './usage-ledger.port';
export * from './usage-day';
