/**
 * Progress of long CLI work on stderr (stdout stays clean for results and --json): a cli-progress bar
 * when stderr is a terminal, otherwise (CI, pipes, log files) one line per 10 %.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  start(total: number): void;
  update(done: number, total: number): void;
  stop(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr, unit = 'events'): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    });
    const started = Date.now();
    const rate = (done: number) => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
    return {
      start: (total) => bar.start(total, 0, { rate: 0 }),
      update: (done, total) => {
        bar.setTotal(total);
        bar.update(done, { rate: rate(done) });
      },
      stop: () => bar.stop(),
    };
  }
  let printedStep = -1;
  return {
    start: (total) => {
      stream.write(`${label}: ${total} ${unit}\n`);
      printedStep = 0;
    },
    update: (done, total) => {
      const step = total ? Math.floor((done / total) * 10) : 10;
      if (step <= printedStep) return;
      printedStep = step;
      stream.write(`${label}: ${step * 10}% (${done}/${total} ${unit})\n`);
    },
    stop: () => undefined,
  };
}
