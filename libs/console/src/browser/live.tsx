/**
 * Live refresh by polling with ETags: `tick` re-asks the API with If-None-Match every `ms` while the tab is
 * visible; an unchanged answer is a 304 and redraws nothing (the same DOM nodes stay, so do focus, selection
 * and what is typed). `<html data-refreshes>` counts the cycles that ended. Returns a stop function. Every poll is one
 * authenticated request (counted against the key's daily limit): 20 s = 180 an hour while a tab is visible.
 */
export const REFRESH_MS = 20_000;

export function live(tick: () => Promise<void>, ms = REFRESH_MS): () => void {
  let stopped = false;
  let busy = false;
  let timer: number | undefined;
  const run = async () => {
    window.clearTimeout(timer);
    if (stopped || busy) return;
    busy = true;
    try {
      if (document.visibilityState === 'visible') await tick();
    } catch {
      // a failed refresh keeps what is on screen; the next one tries again
    } finally {
      busy = false;
      // How many refresh cycles have ended on this page (a 304 redraws nothing, so nothing else shows one ended).
      document.documentElement.dataset.refreshes = String(Number(document.documentElement.dataset.refreshes ?? 0) + 1);
      if (!stopped) timer = window.setTimeout(run, ms);
    }
  };
  // Coming back to the tab refreshes at once (then every `ms` again).
  const onVisible = () => {
    if (document.visibilityState === 'visible') void run();
  };
  document.addEventListener('visibilitychange', onVisible);
  timer = window.setTimeout(run, ms);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
