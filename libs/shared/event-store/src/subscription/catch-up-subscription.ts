/**
 * Pull-based catch-up subscription shared by the adapters that read the all-stream by position
 * (PostgreSQL, in-memory): read a (filtered) page after the checkpoint, hand it over — event by event
 * (`onEvent`) or whole (`onPage`) — and when caught up sleep until the store signals a change or the poll
 * interval passes. A change signalled while a page is read or handled is remembered (the next read follows at
 * once, not after the poll interval), and `coalesceMs` spaces reads under a stream of appends. A page that
 * matched nothing still moves the checkpoint (`onPage` gets it, empty).
 *
 * `readPage` may answer from pages read earlier for other subscriptions (the PostgreSQL adapter's shared reader):
 * each read says which moment (`nextMoment`) the answer must not predate — the last change signal, or the
 * request itself after a poll or a horizon retry — so a buffered answer never hides a change this subscription
 * was told about.
 */
import { AllStreamPage, ReadAllOptions, SubscribeToAllOptions, Subscription } from '../event-store.port';
import type { GlobalPosition } from '../position';
import { START, comparePositions } from '../position';

/**
 * A page as `readPage` answers it: `more` says further events may follow at once although the page is not full
 * (a shared reader handed over what its buffer had for this filter), so the subscription reads on without waiting.
 */
export interface CatchUpPage extends AllStreamPage {
  more?: boolean;
}

/**
 * `readPage(options, freshAfter)`: a page after `options.after`; when it ends at the tail, from a read that began
 * after the moment `freshAfter`. Adapters that always read afresh ignore it.
 */
export type CatchUpPageReader = (options: ReadAllOptions, freshAfter: number) => Promise<CatchUpPage>;

let moments = 0;
/** A process-wide counter that orders change signals and the reads that must see them (no clock ties). */
export function nextMoment(): number {
  return ++moments;
}

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
  readPage: CatchUpPageReader,
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
  // The moment of the last signal (the start counts as one: the first read must be a fresh one), and what the
  // next read must not predate.
  let lastSignal = nextMoment();
  let freshAfter = lastSignal;
  const unlisten = changes.listen((position) => {
    if (position && (!announced || comparePositions(position, announced) > 0)) announced = position;
    lastSignal = nextMoment();
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
      const from = after;
      const page = await readPage({ after, maxCount: batchSize, filter: options.filter }, freshAfter);
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
      if (page.events.length >= batchSize || page.more) {
        // A reader that says "more" without moving on would spin here without ever yielding to a timer: stop loudly.
        if (comparePositions(after, from) <= 0) throw new Error(`all-stream page after ${from.commit}/${from.prepare} did not advance`);
        freshAfter = lastSignal;
        continue; // a backlog: read on at once
      }
      // An append announced to us is stored but not yet readable (an older transaction still runs): look again soon.
      const behind = announced !== undefined && comparePositions(announced, after) > 0;
      retries = behind ? retries + 1 : 0;
      await nextChange(behind ? Math.min(pollIntervalMs, HORIZON_RETRY_MS * 2 ** (retries - 1)) : pollIntervalMs);
      // Coalescing: under a stream of appends, read at most once per `coalesceMs`, so the events appended
      // meanwhile arrive as one page instead of one read (and one handler transaction) each.
      const wait = coalesceMs - (performance.now() - readAt);
      if (wait > 0 && !abort.signal.aborted) await delay(wait, abort.signal);
      // Woken by a signal: a read begun after it will do. By the poll or a horizon retry: only a read begun now.
      freshAfter = changed ? lastSignal : nextMoment();
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
