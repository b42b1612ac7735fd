/** Injection tokens of the shared infrastructure (the event store's own token lives in its lib). */
export const LEAKWATCH_CONFIG = Symbol('LEAKWATCH_CONFIG');
export const PG_POOL = Symbol('PG_POOL');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
/** The `IntegrationMapperRegistry` of this process: producing contexts register their topic's mapper. */
export const INTEGRATION_MAPPERS = Symbol('INTEGRATION_MAPPERS');
/**
 * The one clock of the process: time enters commands and answers through it, never through `new Date()` in
 * handlers, so a test can pin "now" (and a decision's time is one value, not several calls apart).
 */
export const CLOCK = Symbol('CLOCK');
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
