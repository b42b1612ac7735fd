export * from './throwaway-postgres';
export * from './decider-specification';
