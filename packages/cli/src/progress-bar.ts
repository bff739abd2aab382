/**
 * A one-line progress bar on stderr when it is a terminal, redrawn at most every 100 ms; without a
 * terminal only the final message is printed, so logs and pipes get one line.
 */
export interface ProgressBar {
  /** `final` draws at once, so the bar ends at the true totals. */
  update(done: number, total: number | undefined, detail: string, options?: { final?: boolean }): void;
  finish(message: string): void;
}

const REDRAW_MS = 100;
const WIDTH = 30;

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() {}, finish: (message) => void stream.write(`${message}\n`) };
  let last = 0;
  // Progress reported from several threads can arrive out of order (a part behind another one):
  // the bar shows the furthest share seen, so it never runs backwards.
  let furthest = 0;
  return {
    update(done, total, detail, options) {
      const now = Date.now();
      if (total) furthest = Math.max(furthest, Math.min(1, done / total));
      if (now - last < REDRAW_MS && !options?.final) return;
      last = now;
      const share = total ? furthest : 0;
      const filled = Math.round(share * WIDTH);
      const bar = total
        ? `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}% `
        : "";
      stream.write(`\r${bar}${detail}\x1b[K`);
    },
    finish(message) {
      stream.write(`\n${message}\n`);
    },
  };
}
