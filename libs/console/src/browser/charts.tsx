/**
 * Chart.js (tree-shaken: only the controllers used here are bundled). Every chart element is clickable and
 * filters the leak list; the same choices are offered as a row of buttons under each chart (for the per-day
 * charts: one per day and series with a value), so the charts work from the keyboard and for screen readers too. Colours come from the page's CSS variables, so charts
 * follow the light/dark theme.
 */
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, ChartConfiguration, DoughnutController, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip,
} from 'chart.js';
import { h } from './dom';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

export const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const PALETTE = ['--accent', '--high', '--ok', '--medium', '--critical', '--low', '--warn', '--muted'];

export interface ChartItem {
  label: string;
  value: number;
  color?: string;
  /** What clicking the element (or its button) does. */
  open?: () => void;
}

export interface ChartPanel {
  element: HTMLElement;
  /** Draws the chart: call once `element` is in the document (Chart.js sizes and renders attached canvases). */
  mount(): Chart;
}

/** A doughnut or bar chart of labelled counts, with a clickable button per element. */
export function countChart(id: string, title: string, kind: 'doughnut' | 'bar', items: ChartItem[]): ChartPanel {
  const canvas = h('canvas', { id: `chart-${id}`, role: 'img', 'aria-label': `${title}: ${items.map((i) => `${i.label} ${i.value}`).join(', ')}` }) as HTMLCanvasElement;
  const colors = items.map((item, i) => item.color ?? cssVar(PALETTE[i % PALETTE.length]));
  const config: ChartConfiguration = {
    type: kind,
    data: { labels: items.map((i) => i.label), datasets: [{ label: title, data: items.map((i) => i.value), backgroundColor: colors, borderColor: cssVar('--panel'), borderWidth: kind === 'doughnut' ? 2 : 0 }] },
    options: {
      ...baseOptions(),
      indexAxis: kind === 'bar' ? 'y' : 'x',
      plugins: { legend: { display: kind === 'doughnut', position: 'right', labels: { color: cssVar('--text') } }, tooltip: { enabled: true } },
      scales: kind === 'bar' ? axes() : {},
      onClick: (_event, elements) => {
        if (elements.length) items[elements[0].index]?.open?.();
      },
    },
    plugins: [hitPoints],
  };
  return { element: figure(id, title, canvas, items), mount: () => new Chart(canvas, config) };
}

/**
 * Per-day series (bars), e.g. opened vs fixed. `open(day, seriesIndex)` on a bar's click, and on its button
 * under the chart ("Opened 2026-12-07: 8"; one per day and series with a value, newest day first). `shows`
 * names what the buttons open, for their list's accessible name.
 */
export function dayChart(
  id: string,
  title: string,
  days: string[],
  series: Array<{ label: string; values: number[]; color: string }>,
  open?: (day: string, series: number) => void,
  shows = 'the leaks',
): ChartPanel {
  const total = series.map((s) => `${s.label} ${s.values.reduce((a, b) => a + b, 0)}`).join(', ');
  const canvas = h('canvas', { id: `chart-${id}`, role: 'img', 'aria-label': `${title}, last ${days.length} days: ${total}` }) as HTMLCanvasElement;
  const config: ChartConfiguration = {
    type: 'bar',
    data: { labels: days.map((d) => d.slice(5)), datasets: series.map((s) => ({ label: s.label, data: s.values, backgroundColor: cssVar(s.color) })) },
    options: {
      ...baseOptions(),
      plugins: { legend: { display: series.length > 1, labels: { color: cssVar('--text') } } },
      scales: axes(),
      onClick: (_event, elements) => {
        if (elements.length && open) open(days[elements[0].index], elements[0].datasetIndex);
      },
    },
    plugins: [hitPoints],
  };
  const buttons: ChartItem[] = open
    ? [...days.keys()].reverse().flatMap((d) =>
        series.flatMap((s, i) => (s.values[d] ? [{ label: `${s.label} ${days[d]}`, value: s.values[d], open: () => open(days[d], i) }] : [])),
      )
    : [];
  return { element: figure(id, title, canvas, buttons, shows), mount: () => new Chart(canvas, config) };
}

function baseOptions() {
  return { responsive: true, maintainAspectRatio: false, animation: false as const, color: cssVar('--text') };
}

function axes() {
  const grid = { color: cssVar('--border') };
  const ticks = { color: cssVar('--muted'), precision: 0 };
  return { x: { grid, ticks }, y: { grid, ticks, beginAtZero: true } };
}

function figure(id: string, title: string, canvas: HTMLCanvasElement, items: ChartItem[], shows = 'the leaks'): HTMLElement {
  const clickable = items.filter((i) => i.open);
  return (
    <figure class="chart" id={`figure-${id}`}>
      <figcaption id={`caption-${id}`}>{title}</figcaption>
      <div class="canvas-box">{canvas}</div>
      {clickable.length ? (
        <ul class="legend" aria-label={`${title}: show ${shows}`}>
          {clickable.map((item) => (
            <li>
              <button type="button" data-filter={item.label} onClick={() => item.open?.()}>
                {item.label}: {item.value}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

/**
 * After each draw, record where each element is (canvas pixels) in `data-points`, as
 * `[{label, series, value, x, y}]` (a slice's centroid, a bar's centre): lets the browser tests click a real
 * chart element.
 */
const hitPoints = {
  id: 'leakwatchHitPoints',
  afterRender(chart: Chart) {
    const labels = (chart.data.labels ?? []) as string[];
    const bars = (chart.config as { type?: string }).type === 'bar';
    const points = chart.data.datasets.flatMap((dataset, series) =>
      chart.getDatasetMeta(series).data.map((element, index) => {
        const { x, y } = bars ? (element as unknown as BarElement).getCenterPoint(true) : element.tooltipPosition(true);
        return { label: labels[index], series, value: Number(dataset.data[index] ?? 0), x: Math.round(x ?? 0), y: Math.round(y ?? 0) };
      }),
    );
    chart.canvas.dataset.points = JSON.stringify(points);
  },
};
