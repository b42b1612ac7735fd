/**
 * Pull-based catch-up subscription shared by the adapters that read the all-stream by position
 * (PostgreSQL, in-memory): read a (filtered) page after the checkpoint, hand it over — event by event
 * (`onEvent`) or whole (`onPage`) — and when caught up sleep until the store signals a change or the poll
 * interval passes. A page that matched nothing still moves the checkpoint (`onPage` gets it, empty).
 */
import { AllStreamPage, ReadAllOptions, SubscribeToAllOptions, Subscription } from '../event-store.port';
import { START, comparePositions } from '../position';

export interface ChangeSignal {
  /** Resolves when new events may be readable, or after `timeoutMs`, or when `abort` fires. */
  wait(timeoutMs: number, abort: AbortSignal): Promise<void>;
}

export function startCatchUpSubscription(
  readPage: (options: ReadAllOptions) => Promise<AllStreamPage>,
  changes: ChangeSignal,
  options: SubscribeToAllOptions & { pollIntervalMs?: number },
): Subscription {
  if (!options.onEvent && !options.onPage) throw new TypeError('subscribeToAll needs onEvent or onPage');
  const abort = new AbortController();
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  let after = options.after ?? START;

  const loop = (async () => {
    while (!abort.signal.aborted) {
      const page = await readPage({ after, maxCount: batchSize, filter: options.filter });
      if (options.onPage) {
        if (page.position && comparePositions(page.position, after) > 0) {
          if (abort.signal.aborted) return;
          await options.onPage({ events: page.events, position: page.position });
          after = page.position;
        }
      } else {
        for (const event of page.events) {
          if (abort.signal.aborted) return;
          await options.onEvent?.(event);
          after = event.position;
        }
        if (page.position) after = page.position;
      }
      if (page.events.length < batchSize) await changes.wait(pollIntervalMs, abort.signal);
    }
  })().catch((error: unknown) => {
    if (abort.signal.aborted) return;
    abort.abort();
    if (options.onError) options.onError(error);
    else console.error('event store subscription stopped', error);
  });

  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

/** Sleep helper that wakes early on abort. */
export function delay(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (abort.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolve();
    }
    abort.addEventListener('abort', done, { once: true });
  });
}
