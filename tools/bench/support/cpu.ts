/**
 * CPU time used by a process and all its descendants (Leakwatch and the embedded PostgreSQL it started), from
 * /proc: a figure that, unlike rates and latencies, hardly depends on what else a shared machine is running.
 * Undefined where /proc is not available (not Linux).
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function treeCpuMs(rootPid: number | undefined): number | undefined {
  if (!rootPid) return undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of entries) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
      parent.set(Number(name), Number(fields[1]));
      cpu.set(Number(name), (Number(fields[11]) + Number(fields[12])) * TICK_MS); // utime, stime
    } catch {
      // the process ended meanwhile
    }
  }
  if (!cpu.has(rootPid)) return undefined;
  let total = 0;
  for (const pid of cpu.keys()) {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) {
      if (p === rootPid) {
        total += cpu.get(pid) ?? 0;
        break;
      }
    }
  }
  return total;
}
