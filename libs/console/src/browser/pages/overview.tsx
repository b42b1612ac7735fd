/**
 * Overview: one `GET /api/v1/stats/leaks` (aggregated in the database) drawn as charts. Clicking a chart
 * element (or its button under the chart, per-day charts included) opens the leak list filtered by it: an opened bar lists the leaks first seen that
 * day, a fixed bar the leaks fixed that day; clicking a day of attempts opens the attempts of that day.
 * Refreshed live (polling with ETags: an unchanged answer is a 304 and redraws nothing).
 */
import { Chart } from 'chart.js';
import { getFresh } from '../api';
import { ChartItem, ChartPanel, countChart, cssVar, dayChart } from '../charts';
import { h, replace } from '../dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { RISKS, STATUSES, TYPES, cap, duration, number, statusLabel } from '../format';
import { live } from '../live';
import type { Page } from '../main';
import { navigate } from '../router';
import { session } from '../session';

export interface LeakStats {
  window: { days: number; from: string; to: string };
  total: number;
  virtual_patched: number;
  by_status: Record<string, number>;
  by_risk: Record<string, number>;
  by_type: Record<string, number>;
  by_source: Record<string, number>;
  open_by_risk: Record<string, number>;
  open_by_type: Record<string, number>;
  open_by_source: Record<string, number>;
  mean_time_to_fix: { seconds: number | null; hours: number | null; fixes: number };
  per_day: Array<{ day: string; opened: number; fixed: number; token_use_attempts: number }>;
}

const STATS_PATH = '/api/v1/stats/leaks?days=30';

export const overviewPage: Page = async (_route, main) => {
  let charts: Chart[] = [];
  const draw = (stats: LeakStats) => {
    charts.forEach((c) => c.destroy());
    const panels = panelsFor(stats);
    const attempts = stats.per_day.reduce((sum, d) => sum + d.token_use_attempts, 0);
    replace(
      main,
      <h1>Overview</h1>,
      stats.total === 0 ? gettingStarted() : null,
      <div class="cards" id="figures">
        {card('Leaks', number(stats.total), 'total')}
        {card('Open', number(stats.by_status.open ?? 0), 'open')}
        {card('Virtually patched', number(stats.virtual_patched), 'patched')}
        {card('Mean time to fix', duration(stats.mean_time_to_fix.seconds), 'mttf', `${stats.mean_time_to_fix.fixes} fixes in ${stats.window.days} days`)}
        {card('Token-use attempts', number(attempts), 'attempts', `last ${stats.window.days} days`)}
      </div>,
      <div class="charts">{panels.map((p) => p.element)}</div>,
      <p class="muted">
        Window {stats.window.from} – {stats.window.to} (UTC). Refreshes by itself while this tab is visible.
      </p>,
    );
    charts = panels.map((p) => p.mount());
  };
  const first = await getFresh<LeakStats>(STATS_PATH, true);
  if (first) draw(first);
  const stop = live(async () => {
    const next = await getFresh<LeakStats>(STATS_PATH);
    if (next) draw(next);
  });
  return () => {
    stop();
    charts.forEach((c) => c.destroy());
  };
};

function panelsFor(stats: LeakStats): ChartPanel[] {
  const list = (params: Record<string, string>) => () => navigate('/leaks', params);
  // Risk, type and source show the open leaks (what still needs attention); a click lists exactly those.
  const risk: ChartItem[] = RISKS.map((r) => ({ label: r, value: stats.open_by_risk[r] ?? 0, color: cssVar(`--${r}`), open: list({ risk: r, status: 'open' }) }));
  const status: ChartItem[] = STATUSES.map((s, i) => ({
    label: statusLabel(s),
    value: stats.by_status[s] ?? 0,
    color: cssVar(['--danger', '--ok', '--muted'][i]),
    open: list({ status: s }),
  }));
  const type: ChartItem[] = TYPES.map((t) => ({ label: cap(t), value: stats.open_by_type[t] ?? 0, open: list({ type: t, status: 'open' }) }));
  const sources: ChartItem[] = Object.entries(stats.open_by_source)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, value]) => ({ label: name, value, color: cssVar('--accent'), open: list({ source: name, status: 'open' }) }));
  const days = stats.per_day.map((d) => d.day);
  return [
    countChart('risk', 'Open leaks by risk', 'doughnut', risk),
    countChart('status', 'Leaks by status', 'doughnut', status),
    countChart('type', 'Open leaks by type', 'doughnut', type),
    countChart('source', 'Open leaks by source', 'bar', sources),
    dayChart(
      'per-day',
      'Opened and fixed per day',
      days,
      [
        { label: 'Opened', values: stats.per_day.map((d) => d.opened), color: '--high' },
        { label: 'Fixed', values: stats.per_day.map((d) => d.fixed), color: '--ok' },
      ],
      // Opened: the leaks first seen that day (a reopened leak counts here by its first detection). Fixed: the
      // leaks fixed that day and still fixed. UTC days, as the statistics count them.
      (day, series) => navigate('/leaks', series === 0 ? { first_seen_from: day, first_seen_to: nextDay(day) } : { fixed_from: day, fixed_to: nextDay(day) }),
    ),
    dayChart('attempts', 'Token-use attempts per day', days, [{ label: 'Attempts', values: stats.per_day.map((d) => d.token_use_attempts), color: '--critical' }], (day) =>
      navigate('/attempts', { from: day, to: day }), 'the attempts',
    ),
  ];
}

const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

function card(label: string, value: string, id: string, note?: string): HTMLElement {
  return (
    <div class="card" id={`figure-${id}`}>
      <div class="label">{label}</div>
      <div class="value">{value}</div>
      {note ? <div class="muted">{note}</div> : null}
    </div>
  );
}

function gettingStarted(): HTMLElement {
  return (
    <div class="notice info" role="status" id="getting-started">
      <strong>No leaks yet.</strong> <a href="#/add">Add leaks by hand</a>, upload a scanner report (<code>npm run leakwatch -- ingest report.json</code>) or
      connect GitHub secret scanning under <a href="#/admin">Administration</a>
      {session().role === 'global_admin' ? ', where you can also create an organisation and its keys' : ''}.
    </div>
  );
}
