/** The clock the stats answers are computed at (a token, so tests can pin "today"). */
export const STATS_CLOCK = Symbol('STATS_CLOCK');
export type StatsClock = () => Date;
