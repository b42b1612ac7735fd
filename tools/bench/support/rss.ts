/**
 * Resident memory of a (child) process from `/proc/<pid>/status` (Linux): `VmRSS` now, `VmHWM` its peak
 * since the process started. A sampler reads it every `everyMs` so a phase's peak can be told apart from
 * the process's lifetime peak.
 */
import { readFileSync } from 'node:fs';

export interface MemoryReading {
  /** bytes resident now */
  rss: number;
  /** bytes: the highest resident size since the process started (high-water mark) */
  hwm: number;
}

/** undefined where /proc is not available (not Linux) or the process is gone. */
export function readMemory(pid: number): MemoryReading | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  const rss = kib('VmRSS');
  const hwm = kib('VmHWM');
  return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss, hwm } : undefined;
}

export class RssSampler {
  private readonly samples: Array<{ at: number; rss: number }> = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number, private readonly everyMs = 200) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes a sample now (also call it at the edges of a phase), returns it. */
  sample(): MemoryReading | undefined {
    const reading = readMemory(this.pid);
    if (reading) this.samples.push({ at: performance.now(), rss: reading.rss });
    return reading;
  }

  /** The highest sampled VmRSS between two `performance.now()` times (undefined without samples). */
  peak(from: number, to = Infinity): number | undefined {
    let max: number | undefined;
    for (const s of this.samples) if (s.at >= from && s.at <= to && (max === undefined || s.rss > max)) max = s.rss;
    return max;
  }

  get count(): number {
    return this.samples.length;
  }
}
