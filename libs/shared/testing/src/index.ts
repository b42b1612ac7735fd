export * from './throwaway-postgres';
