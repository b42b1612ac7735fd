export * from './transaction';
export * from './leader-lock';
