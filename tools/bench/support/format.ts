/** Figures and the result table of a benchmark run. */
import os from 'node:os';

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const millis = (ms: number) => `${ms.toFixed(1)} ms`;
export const perSecond = (n: number, ms: number, unit: string) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} ${unit}/s`;
export const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Node version, platform and CPUs, for a table's title. */
export function machine(): string {
  return `Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()})`;
}

/** [key, header, alignment] of one column. */
export type Column<Row> = [keyof Row & string, string, 'left' | 'right'];

/** Prints a plain-text table on stdout (missing cells are blank). */
export function printTable<Row extends object>(title: string, columns: Array<Column<Row>>, rows: Row[]): void {
  const cell = (row: Row, key: keyof Row) => String(row[key] ?? '');
  const widths = columns.map(([key, header]) => Math.max(header.length, ...rows.map((r) => cell(r, key).length)));
  const line = (cells: string[]) => cells.map((c, i) => (columns[i][2] === 'left' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}\n`);
  console.log(line(columns.map(([, header]) => header)));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map(([key]) => cell(row, key))));
  console.log();
}

/** commander argument parser of a positive integer option. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}
