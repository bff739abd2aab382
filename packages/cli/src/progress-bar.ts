/**
 * A one-line progress bar on stderr when it is a terminal; silent otherwise, so logs and pipes
 * stay clean. Redraws at most every 100 ms.
 */
export interface ProgressBar {
  update(done: number, total: number | undefined, detail: string): void;
  finish(message: string): void;
}

const REDRAW_MS = 100;
const WIDTH = 30;

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() {}, finish() {} };
  let last = 0;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      const share = total ? Math.min(1, done / total) : 0;
      const filled = Math.round(share * WIDTH);
      const bar = total ? `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ` : "";
      stream.write(`\r${bar}${detail}\x1b[K`);
    },
    finish(message) {
      stream.write(`\r${message}\x1b[K\n`);
    },
  };
}
