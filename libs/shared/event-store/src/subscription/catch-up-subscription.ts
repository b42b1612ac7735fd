/**
 * Pull-based catch-up subscription shared by the adapters that read the all-stream by position
 * (PostgreSQL, in-memory): read a batch after the checkpoint, hand each event over in order,
 * and when caught up sleep until the store signals a change or the poll interval passes.
 */
import { ReadAllOptions, RecordedEvent, SubscribeToAllOptions, Subscription } from '../event-store.port';
import { START } from '../position';

export interface ChangeSignal {
  /** Resolves when new events may be readable, or after `timeoutMs`, or when `abort` fires. */
  wait(timeoutMs: number, abort: AbortSignal): Promise<void>;
}

export function startCatchUpSubscription(
  readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
  changes: ChangeSignal,
  options: SubscribeToAllOptions & { pollIntervalMs?: number },
): Subscription {
  const abort = new AbortController();
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  let after = options.after ?? START;

  const loop = (async () => {
    while (!abort.signal.aborted) {
      const batch = await readAll({ after, maxCount: batchSize });
      for (const event of batch) {
        if (abort.signal.aborted) return;
        await options.onEvent(event);
        after = event.position;
      }
      if (batch.length < batchSize) await changes.wait(pollIntervalMs, abort.signal);
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
