/**
 * The remediation report as one CSV table (RFC 4180, CRLF): a `figures` row for the totals and for each type,
 * risk and source, then one `decision` row per status change — one header, so any CSV reader loads it whole.
 * A cell that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading `'`
 * (OWASP "CSV injection"): comments and source names are written by users and scanners.
 */
import type { RemediationFigures, RemediationReport } from './remediation-report';
import { csvLine } from '@leakwatch/runtime';

const FIGURES: Array<keyof RemediationFigures> = [
  'opened', 'reopened', 'reopened_by_regression', 'fixed', 'false_positives', 'mean_time_to_fix_seconds', 'p90_time_to_fix_seconds', 'open_longer_than_n_days',
];
const DECISION = ['at', 'leakid', 'revision', 'from', 'to', 'reason', 'comment', 'actor_key_id', 'actor_role', 'actor_org_id'] as const;

export const REMEDIATION_CSV_COLUMNS = ['record', 'dimension', 'group', ...FIGURES, ...DECISION] as const;

export function remediationCsv(report: RemediationReport): string {
  const blankDecision = DECISION.map(() => '');
  const figures = (dimension: string, group: string, f: RemediationFigures) => csvLine(['figures', dimension, group, ...FIGURES.map((k) => f[k]), ...blankDecision]);
  const lines = [csvLine(REMEDIATION_CSV_COLUMNS), figures('total', 'all', report.totals)];
  for (const [dimension, groups] of [['type', report.by_type], ['risk', report.by_risk], ['source', report.by_source]] as const) {
    for (const [group, f] of Object.entries(groups)) lines.push(figures(dimension, group, f));
  }
  for (const d of report.decisions) {
    lines.push(csvLine(['decision', '', '', ...FIGURES.map(() => ''), d.at, d.leakid, d.revision, d.from, d.to, d.reason, d.comment, d.actor.key_id, d.actor.role, d.actor.org_id]));
  }
  return lines.join('');
}
