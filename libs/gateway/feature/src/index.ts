export * from './gateway.module';
export * from './routing/route-table';
export { tokenIndexReadModel } from './tokens/token-index.topic';
// The token index's live feed (wired by GatewayModule; exported for the CLI's rebuild-equality spec).
export { TokenIndexFeed } from './tokens/token-index.feed';
export { TokenIndex } from './tokens/token-index';
