/**
 * Pull-based catch-up subscription shared by the adapters that read the all-stream by position
 * (PostgreSQL, in-memory): read a (filtered) page after the checkpoint, hand it over — event by event
 * (`onEvent`) or whole (`onPage`) — and when caught up sleep until the store signals a change or the poll
 * interval passes. A change signalled while a page is read or handled is remembered (the next read follows at
 * once, not after the poll interval), and `coalesceMs` spaces reads under a stream of appends. A page that
 * matched nothing still moves the checkpoint (`onPage` gets it, empty).
 */
import { AllStreamPage, ReadAllOptions, SubscribeToAllOptions, Subscription } from '../event-store.port';
import type { GlobalPosition } from '../position';
import { START, comparePositions } from '../position';

export interface ChangeSignal {
  /**
   * Registers `onChange` for the subscription's lifetime: called whenever new events may be readable (an append
   * it may concern committed, a NOTIFY arrived). Returns the unregistration. A signal that arrives while the
   * subscription reads or hands over a page is remembered, not lost: the next read follows at once.
   * `position`, when known, is where the change was stored (an append of this process): a read that does not
   * reach it yet — the all-stream shows nothing past a transaction still running — is retried shortly,
   * without waiting for another signal or the poll.
   */
  listen(onChange: (position?: GlobalPosition) => void): () => void;
}

/**
 * How soon a read that did not reach an announced position is retried (the horizon is held by a running
 * transaction): 5 ms, doubling while it still has not, up to the poll interval. Under load other signals come
 * sooner anyway; the retry is for the quiet case, where nothing else would wake the subscription.
 */
const HORIZON_RETRY_MS = 5;

export function startCatchUpSubscription(
  readPage: (options: ReadAllOptions) => Promise<AllStreamPage>,
  changes: ChangeSignal,
  options: SubscribeToAllOptions & { pollIntervalMs?: number },
): Subscription {
  if (!options.onEvent && !options.onPage) throw new TypeError('subscribeToAll needs onEvent or onPage');
  const abort = new AbortController();
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const coalesceMs = options.coalesceMs ?? 0;
  let after = options.after ?? START;
  // Set by every signal, cleared just before a read starts: a read sees every append announced before it began
  // (announcements follow commits), so only a signal that comes after that needs another read.
  let changed = false;
  let wake: (() => void) | undefined;
  let announced: GlobalPosition | undefined;
  let retries = 0;
  const unlisten = changes.listen((position) => {
    if (position && (!announced || comparePositions(position, announced) > 0)) announced = position;
    changed = true;
    wake?.();
  });
  const nextChange = (timeoutMs: number) => {
    if (changed) return Promise.resolve();
    const inner = new AbortController();
    wake = () => inner.abort();
    abort.signal.addEventListener('abort', wake, { once: true });
    return delay(timeoutMs, inner.signal).finally(() => {
      abort.signal.removeEventListener('abort', wake as () => void);
      wake = undefined;
    });
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      changed = false;
      const readAt = performance.now();
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
      if (page.events.length >= batchSize) continue; // a backlog: read on at once
      // An append announced to us is stored but not yet readable (an older transaction still runs): look again soon.
      const behind = announced !== undefined && comparePositions(announced, after) > 0;
      retries = behind ? retries + 1 : 0;
      await nextChange(behind ? Math.min(pollIntervalMs, HORIZON_RETRY_MS * 2 ** (retries - 1)) : pollIntervalMs);
      // Coalescing: under a stream of appends, read at most once per `coalesceMs`, so the events appended
      // meanwhile arrive as one page instead of one read (and one handler transaction) each.
      const wait = coalesceMs - (performance.now() - readAt);
      if (wait > 0 && !abort.signal.aborted) await delay(wait, abort.signal);
    }
  })()
    .catch((error: unknown) => {
      if (abort.signal.aborted) return;
      abort.abort();
      if (options.onError) options.onError(error);
      else console.error('event store subscription stopped', error);
    })
    .finally(unlisten);

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
