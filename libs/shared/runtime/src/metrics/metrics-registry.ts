/** Injection token of this application's prom-client Registry (one per app: tests start several in one process). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
