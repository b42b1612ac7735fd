/**
 * Leakwatch blocklist for a Node gateway to embed, with no framework: only `fetch` and `node:crypto`.
 *
 * - `start()` pages `GET /api/v1/tokens/blocklist?cursor=` from the beginning until it is current, then follows
 *   changes in the background by long-polling (`wait=`), so a new virtual patch arrives within one round trip.
 * - `isBlocked(token)` / `isBlockedSha256(hex)` answer from memory in O(1), no network call; a blocked use is
 *   queued and sent back in batches (`POST /api/v1/tokens/attempts`) so it shows in the leak's history.
 * - The key's scope applies: the client sees the blocked tokens its Leakwatch key may see.
 * Network errors never throw into the request path: the last known set stays in force, the loop retries.
 */
import * as crypto from 'node:crypto';
import { BlockedSet, BlocklistChange } from './blocked-set';

// One-shot `crypto.hash` (Node 20.12+) where it exists: ~2.5× faster than a Hash object per token.
type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;
const sha256Hex = oneShot ? (text: string) => oneShot('sha256', text, 'hex') : (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

export interface BlocklistClientOptions {
  /** Leakwatch's base URL, e.g. `http://leakwatch:8080`. */
  baseUrl: string;
  /** A Leakwatch API key (an org key enforces that organisation's patches; a global key all of them). */
  apiKey: string;
  /** Long-poll: how long one request waits for a change (seconds, ≤ 30; default 25). */
  waitSeconds?: number;
  /** Changes per page (default 1000). */
  pageSize?: number;
  /** How often queued attempts are sent (default 1000 ms). */
  flushIntervalMs?: number;
  /** Queued attempts beyond this drop the oldest (default 10,000). */
  maxQueuedAttempts?: number;
  /** Pause after a failed request before the next (default 1000 ms). */
  retryDelayMs?: number;
  /** Told about every failed request (the client keeps going). */
  onError?: (error: Error) => void;
  /** Injectable for tests or custom agents (default: the global fetch). */
  fetch?: typeof fetch;
}

interface QueuedAttempt {
  sha256: string;
  attempted_at: string;
}

const MAX_ATTEMPTS_PER_REQUEST = 1000;

export class BlocklistClient {
  private readonly set = new BlockedSet();
  private readonly options: Required<Omit<BlocklistClientOptions, 'onError' | 'fetch'>> & Pick<BlocklistClientOptions, 'onError'>;
  private readonly fetch: typeof fetch;
  private queue: QueuedAttempt[] = [];
  private position = 0;
  private running = false;
  private following?: Promise<void>;
  /** Aborts the pending long-poll on stop(). */
  private poll = new AbortController();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** Attempts dropped because the queue was full. */
  droppedAttempts = 0;
  /** True once the first full sync finished. */
  ready = false;

  constructor(options: BlocklistClientOptions) {
    this.options = {
      waitSeconds: 25, pageSize: 1000, flushIntervalMs: 1000, maxQueuedAttempts: 10_000, retryDelayMs: 1000,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Syncs the whole set (rejects if Leakwatch cannot be reached), then follows changes until `stop()`. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.syncNow();
    this.ready = true;
    this.running = true;
    this.poll = new AbortController();
    this.following = this.follow();
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops following and sends what is still queued. */
  async stop(): Promise<void> {
    this.running = false;
    this.poll?.abort();
    clearInterval(this.timer);
    await this.following;
    await this.flush();
  }

  /** O(1): is this presented token blocked? A blocked use is queued for Leakwatch. */
  isBlocked(token: string): boolean {
    return this.isBlockedSha256(sha256Hex(token));
  }

  /** O(1) on a SHA-256 (64 lowercase hex) the gateway computed itself. */
  isBlockedSha256(sha256: string): boolean {
    if (!this.set.has(sha256)) return false;
    this.enqueue({ sha256, attempted_at: new Date().toISOString() });
    return true;
  }

  /** Blocked fingerprints known now. */
  get size(): number {
    return this.set.size;
  }

  /** The last change applied (`seq`). */
  get cursor(): number {
    return this.position;
  }

  /** Pages every change after the cursor until none is left (no waiting). */
  async syncNow(): Promise<void> {
    for (;;) {
      const changes = await this.page(0);
      if (changes.length < this.options.pageSize) return;
    }
  }

  /** Sends queued attempts now (batches of up to 1000); on failure they stay queued. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.slice(0, MAX_ATTEMPTS_PER_REQUEST);
      try {
        await this.request('POST', '/api/v1/tokens/attempts', { attempts: batch });
      } catch (error) {
        this.options.onError?.(error as Error);
        return;
      }
      this.queue = this.queue.slice(batch.length);
    }
  }

  private enqueue(attempt: QueuedAttempt): void {
    if (this.queue.length >= this.options.maxQueuedAttempts) {
      this.queue.shift();
      this.droppedAttempts++;
    }
    this.queue.push(attempt);
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        await this.page(this.options.waitSeconds);
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error as Error);
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs).unref());
      }
    }
  }

  /** One page after the cursor, applied in order; `wait` > 0 long-polls when nothing is new. */
  private async page(wait: number): Promise<BlocklistChange[]> {
    const query = new URLSearchParams({ cursor: String(this.position), limit: String(this.options.pageSize) });
    if (wait > 0) query.set('wait', String(wait));
    const body = (await this.request('GET', `/api/v1/tokens/blocklist?${query}`, undefined, wait > 0 ? this.poll.signal : undefined)) as { changes: BlocklistChange[]; next_cursor: number };
    for (const change of body.changes) this.set.apply(change);
    this.position = body.next_cursor;
    return body.changes;
  }

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const response = await this.fetch(`${this.options.baseUrl}${path}`, {
      method,
      headers: { 'x-api-key': this.options.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Leakwatch ${method} ${path.split('?')[0]} answered ${response.status}: ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  }
}
