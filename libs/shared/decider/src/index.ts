export * from './decider';
export * from './event-codec';
