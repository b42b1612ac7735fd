/**
 * One benchmark run: a hard timeout, Ctrl-C/SIGTERM handling, and clean-up of everything the run started
 * (processes, data directory, temporary files) on every exit path.
 */
import { Resources, log } from './process';

/**
 * Runs `body` with fresh Resources. The timeout rejects with "benchmark exceeded --timeout N min"; a signal
 * cleans up and exits with 130. `abort` fires on either, so long requests of `body` stop too.
 */
export async function runBenchmark(timeoutMinutes: number, body: (resources: Resources, abort: AbortSignal) => Promise<void>): Promise<void> {
  const resources = new Resources();
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: cleaning up…`);
    controller.abort(new Error(`interrupted by ${sig}`));
    void resources.cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`benchmark exceeded --timeout ${timeoutMinutes} min`);
      controller.abort(error);
      reject(error);
    }, timeoutMinutes * 60_000);
  });
  try {
    await Promise.race([body(resources, controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
    // Last resort if cleaning up itself hangs: the run must always end.
    setTimeout(() => process.exit(2), 60_000).unref();
    await resources.cleanUp();
  }
}
