export * from './caller';
export * from './domain-names';
export * from './leak-access';
export * from './policy';
export * from './visibility-sql';
