// @ts-check
// Live progress by polling: one small GET a second while anything on the page is still running.
// Polling over SSE: works through every proxy and Lambda URL, and a second is fine for a job that
// takes several.

export const POLL_INTERVAL_MS = 1000;

/**
 * Calls `tick` every interval until it resolves false; pauses while the tab is hidden.
 * @param {() => Promise<boolean>} tick
 */
export function pollWhile(tick) {
  let timer = 0;
  const schedule = () => {
    timer = window.setTimeout(run, POLL_INTERVAL_MS);
  };
  const run = async () => {
    if (document.hidden) return schedule();
    const again = await tick().catch(() => true);
    if (again) schedule();
  };
  schedule();
  return () => window.clearTimeout(timer);
}
