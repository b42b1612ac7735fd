/**
 * Live refresh by polling with ETags: `tick` re-asks the API with If-None-Match every `ms` while the tab is
 * visible; an unchanged answer is a 304 and redraws nothing. Returns a stop function. Every poll is one
 * authenticated request (counted against the key's daily limit): 20 s = 180 an hour while a tab is visible.
 */
export const REFRESH_MS = 20_000;

export function live(tick: () => Promise<void>, ms = REFRESH_MS): () => void {
  let stopped = false;
  let timer: number | undefined;
  const schedule = () => {
    if (!stopped) timer = window.setTimeout(run, ms);
  };
  const run = async () => {
    if (stopped) return;
    if (document.visibilityState === 'visible') {
      try {
        await tick();
      } catch {
        // a failed refresh keeps what is on screen; the next one tries again
      }
    }
    schedule();
  };
  schedule();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
