/**
 * Polls `read` until `ok` accepts its value, and returns that value. Tests wait on observable state with this
 * instead of sleeping: a projection, a consumer or another process catches up in its own time, and a fixed
 * sleep is either too short on a loaded machine or wasted on an idle one.
 *
 * On timeout it throws naming `what` and the last value seen (or the last error `read` threw), so a failure
 * says which condition never held and how far it got.
 */
export interface EventuallyOptions {
  /** Give up after this long; default 20 s (a loaded 2-core CI machine is slow). */
  timeoutMs?: number;
  /** Pause between reads; default 100 ms. */
  intervalMs?: number;
}

export async function eventually<T>(
  what: string,
  read: () => Promise<T> | T,
  ok: (value: T) => boolean = (value) => Boolean(value),
  { timeoutMs = 20_000, intervalMs = 100 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value?: T; error?: unknown } = {};
  for (;;) {
    try {
      const value = await read();
      if (ok(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen = 'error' in last ? `last error: ${describe(last.error)}` : `last value: ${describe(last.value)}`;
      throw new Error(`not reached within ${timeoutMs} ms: ${what} (${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Like `eventually` for probes that answer `undefined` until the thing exists. */
export function eventuallyDefined<T>(what: string, probe: () => Promise<T | undefined>, options?: EventuallyOptions): Promise<T> {
  return eventually(what, probe, (value) => value !== undefined, options) as Promise<T>;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
