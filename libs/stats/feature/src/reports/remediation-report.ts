/**
 * The remediation report's figures as pure functions: the queries hand over one row per counted activity (and
 * one per leak still open at the end of the window), already scoped to the caller; this folds them into totals
 * and per type / risk / source groups. Kept free of SQL so the arithmetic (mean, p90) is unit-tested directly.
 */
import { LEAK_TYPES } from '@leakwatch/authz';
import { RISKS } from '@leakwatch/contracts';


const DAY = 86_400_000;
const MAX_WINDOW_DAYS = 3660;
// PostgreSQL has no year 0 and ISO strings past 9999 get a sign: keep both ends in the years 0001-9999 (UTC).
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** The window a query asks for (defaults: the 30 days up to now), or the field that makes it invalid. */
export function reportWindow(query: { from?: string; to?: string }, now: Date): { from: Date; to: Date } | { field: 'from' | 'to'; message: string } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(Math.max(EARLIEST, to.getTime() - 30 * DAY));
  for (const [field, at] of [['from', from], ['to', to]] as const) {
    if (at.getTime() < EARLIEST || at.getTime() > LATEST) return { field, message: `${field} must be between 0001-01-01 and 9999-12-31 (UTC)` };
  }
  if (from.getTime() >= to.getTime()) return { field: 'from', message: 'from must be before to' };
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY) return { field: 'to', message: `the window may span at most ${MAX_WINDOW_DAYS} days` };
  return { from, to };
}

export interface RemediationFigures {
  /** Leaks detected in the window. */
  opened: number;
  /** Fixed or false-positive leaks put back to open in the window (by a decision or a regression). */
  reopened: number;
  /** Of those, reopened because a fixed leak was seen again. */
  reopened_by_regression: number;
  fixed: number;
  false_positives: number;
  /** Over the fixes in the window: time each leak had been open (since detected or last reopened). */
  mean_time_to_fix_seconds: number | null;
  /** Nearest-rank 90th percentile of the same durations (an observed duration, never interpolated). */
  p90_time_to_fix_seconds: number | null;
  /** Leaks open at the end of the window that had been open (since detected or last reopened) longer than N days. */
  open_longer_than_n_days: number;
}

export interface ReportDecision {
  at: string;
  leakid: string;
  revision: number;
  from: string | null;
  to: string;
  reason: string;
  comment: string | null;
  actor: { key_id: string | null; role: string | null; org_id: string | null };
}

export interface RemediationReport {
  window: { from: string; to: string };
  open_longer_than_days: number;
  totals: RemediationFigures;
  /** As the caller sees each leak (personal, employee, customer, organization); global roles' other leaks count only in totals. */
  by_type: Record<(typeof LEAK_TYPES)[number], RemediationFigures>;
  by_risk: Record<string, RemediationFigures>;
  /** A leak seen in two sources counts in both. */
  by_source: Record<string, RemediationFigures>;
  /** Every status change in the window, oldest first. */
  decisions: ReportDecision[];
}

/** What a row is about, so it can land in its groups. */
export interface LeakFacets {
  caller_type: string | null;
  risk: string;
  sources: string[];
}

export type ReportRow = LeakFacets &
  (
    | { kind: 'opened' | 'reopened' | 'false_positive'; regression?: boolean }
    | { kind: 'fixed'; seconds_open: number | null }
    | { kind: 'open_too_long' }
  );

export function emptyFigures(): RemediationFigures {
  return { opened: 0, reopened: 0, reopened_by_regression: 0, fixed: 0, false_positives: 0, mean_time_to_fix_seconds: null, p90_time_to_fix_seconds: null, open_longer_than_n_days: 0 };
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

class Bucket {
  readonly figures = emptyFigures();
  private readonly durations: number[] = [];

  add(row: ReportRow): void {
    const f = this.figures;
    switch (row.kind) {
      case 'opened':
        f.opened++;
        return;
      case 'reopened':
        f.reopened++;
        if (row.regression) f.reopened_by_regression++;
        return;
      case 'false_positive':
        f.false_positives++;
        return;
      case 'fixed':
        f.fixed++;
        if (row.seconds_open !== null) this.durations.push(row.seconds_open);
        return;
      case 'open_too_long':
        f.open_longer_than_n_days++;
        return;
    }
  }

  done(): RemediationFigures {
    const n = this.durations.length;
    const mean = n ? this.durations.reduce((a, b) => a + b, 0) / n : null;
    const p90 = percentile(this.durations, 90);
    return { ...this.figures, mean_time_to_fix_seconds: mean === null ? null : Math.round(mean), p90_time_to_fix_seconds: p90 === null ? null : Math.round(p90) };
  }
}

export function summarize(
  rows: Iterable<ReportRow>,
  window: { from: string; to: string },
  openLongerThanDays: number,
  decisions: ReportDecision[],
): RemediationReport {
  const totals = new Bucket();
  const types = new Map<string, Bucket>(LEAK_TYPES.map((t) => [t, new Bucket()]));
  const risks = new Map<string, Bucket>(RISKS.map((r) => [r, new Bucket()]));
  const sources = new Map<string, Bucket>();
  const at = <K>(map: Map<K, Bucket>, key: K) => {
    let bucket = map.get(key);
    if (!bucket) map.set(key, (bucket = new Bucket()));
    return bucket;
  };
  for (const row of rows) {
    totals.add(row);
    if (row.caller_type) types.get(row.caller_type)?.add(row);
    at(risks, row.risk).add(row);
    for (const source of new Set(row.sources)) at(sources, source).add(row);
  }
  const done = (map: Map<string, Bucket>) => Object.fromEntries([...map].map(([k, b]) => [k, b.done()]));
  return {
    window,
    open_longer_than_days: openLongerThanDays,
    totals: totals.done(),
    by_type: done(types) as RemediationReport['by_type'],
    by_risk: done(risks),
    by_source: Object.fromEntries(Object.entries(done(sources)).sort(([a], [b]) => a.localeCompare(b))),
    decisions,
  };
}
