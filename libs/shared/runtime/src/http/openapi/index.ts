export * from './schema-registry';
export * from './problem-responses';
export * from './finish-document';
