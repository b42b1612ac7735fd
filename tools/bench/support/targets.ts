/** An issue's target rows (default: issue 16): what was measured, the target, and whether this run met it. */
import { printTable } from './format';

export interface TargetRow {
  figure: string;
  measured: string;
  target: string;
  met: string;
}

export const target = (figure: string, measured: string, targetText: string, met: boolean | undefined): TargetRow => ({
  figure,
  measured,
  target: targetText,
  met: met === undefined ? 'n/a' : met ? 'yes' : 'NO',
});

export function printTargets(rows: TargetRow[], issue = 16): void {
  printTable(`Targets (issue ${issue}; measured by this run, on this machine)`, [['figure', 'figure', 'left'], ['measured', 'measured', 'right'], ['target', 'target', 'right'], ['met', 'met', 'left']], rows);
}
