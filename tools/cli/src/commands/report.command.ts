/**
 * `leakwatch report remediation`: the remediation report of a running Leakwatch (GET /api/v1/reports/remediation)
 * as a table on the terminal, CSV, JSON, or one self-contained HTML file. It goes through the HTTP API with the
 * caller's key, so it shows exactly what that key may see.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';

interface Figures {
  opened: number; reopened: number; reopened_by_regression: number; fixed: number; false_positives: number;
  mean_time_to_fix_seconds: number | null; p90_time_to_fix_seconds: number | null; open_longer_than_n_days: number;
}
interface Report {
  window: { from: string; to: string };
  open_longer_than_days: number;
  totals: Figures;
  by_type: Record<string, Figures>;
  by_risk: Record<string, Figures>;
  by_source: Record<string, Figures>;
  decisions: Array<{ at: string; leakid: string; from: string | null; to: string; reason: string; comment: string | null; actor: { key_id: string | null; role: string | null; org_id: string | null } }>;
}

const FORMATS = ['table', 'csv', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

export function registerReportCommand(program: Command): void {
  const report = program.command('report').description('Reports from a running Leakwatch');
  report
    .command('remediation')
    .description('Opened, fixed, false positives, regression reopens, mean/p90 time to fix, long-open leaks and every decision in a time window')
    .option('--from <time>', 'start of the window, ISO 8601 (default: 30 days before --to)')
    .option('--to <time>', 'end of the window, ISO 8601, excluded (default: now)')
    .option('--open-longer-than <days>', 'count leaks open longer than this many days at the end of the window (default 30)', days)
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(new Option('--url <url>', 'base URL of Leakwatch (or its gateway)').default('http://localhost:8080').env('LEAKWATCH_URL'))
    .addOption(new Option('--key <key>', 'API key (prefer the env variable: keys on command lines end up in shell history)').env('LEAKWATCH_API_KEY'))
    .addHelpText('after', `\nExamples:\n  $ LEAKWATCH_API_KEY=lw_... npm run leakwatch -- report remediation --from 2026-11-01 --to 2026-12-01\n  $ npm run leakwatch -- report remediation --from 2026-11-01 --to 2026-12-01 --format html --out november.html`)
    .action(async (options: { from?: string; to?: string; openLongerThan?: number; format: Format; out?: string; url: string; key?: string }) => {
      if (!options.key) throw new Error('an API key is required: set LEAKWATCH_API_KEY (or --key)');
      const url = new URL('/api/v1/reports/remediation', options.url);
      if (options.from) url.searchParams.set('from', options.from);
      if (options.to) url.searchParams.set('to', options.to);
      if (options.openLongerThan !== undefined) url.searchParams.set('open_longer_than_days', String(options.openLongerThan));
      url.searchParams.set('format', options.format === 'table' ? 'json' : options.format);
      let response: Response;
      try {
        response = await fetch(url, { headers: { 'x-api-key': options.key } });
      } catch (error) {
        throw new Error(`cannot reach ${options.url}: ${(error as Error).message}`);
      }
      const text = await response.text();
      if (!response.ok) throw new Error(`${response.status}: ${problemDetail(text)}`);
      const output = options.format === 'table' ? remediationTable(JSON.parse(text) as Report) : options.format === 'json' ? `${JSON.stringify(JSON.parse(text), null, 2)}\n` : text;
      if (options.out) {
        writeFileSync(options.out, output);
        process.stderr.write(`remediation report written to ${options.out}\n`);
      } else {
        process.stdout.write(output);
      }
    });
}

function days(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number of days');
  return Number(value);
}

function problemDetail(text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: string; errors?: Array<{ field: string; message: string }> };
    return problem.errors?.length ? problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : problem.detail ?? text;
  } catch {
    return text;
  }
}

/** The report as plain-text tables for a terminal. */
export function remediationTable(report: Report): string {
  const n = report.open_longer_than_days;
  const head = ['', 'opened', 'reopened', 'regression', 'fixed', 'false pos.', 'mean to fix', 'p90 to fix', `open > ${n}d`];
  const row = (name: string, f: Figures) => [name, f.opened, f.reopened, f.reopened_by_regression, f.fixed, f.false_positives, duration(f.mean_time_to_fix_seconds), duration(f.p90_time_to_fix_seconds), f.open_longer_than_n_days].map(String);
  const figures = [head, row('total', report.totals)];
  for (const [title, groups] of [['type', report.by_type], ['risk', report.by_risk], ['source', report.by_source]] as const) {
    for (const [name, f] of Object.entries(groups)) figures.push(row(`${title}: ${name}`, f));
  }
  const decisions = [['time', 'leak', 'change', 'reason', 'actor', 'comment'], ...report.decisions.map((d) => [
    d.at, d.leakid, `${d.from ?? '?'} → ${d.to}`, d.reason, [d.actor.key_id ?? 'system', d.actor.role, d.actor.org_id].filter(Boolean).join(' / '), oneLine(d.comment ?? ''),
  ])];
  return [
    `Remediation report ${report.window.from} → ${report.window.to} (end excluded)`,
    '',
    align(figures, 1),
    '',
    `Decisions (${report.decisions.length})`,
    report.decisions.length ? align(decisions, 0) : '  none',
    '',
  ].join('\n');
}

function align(rows: string[][], rightFrom: number): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((cell, i) => (rightFrom > 0 && i >= rightFrom ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

/** Comments are user text: keep the table one line per decision and strip terminal control characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 120);
}
