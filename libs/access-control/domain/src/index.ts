export * from './roles';
export * from './stream-ids';
export * from './organization.decider';
export * from './api-key.decider';
export * from './domain-claim.decider';
export * from './codecs';
