// A scoring thread for tests of the pool (packages/core/src/scoring/parallel.ts): it adds the bytes
// of every piece it is sent to the file named by RETAINWISE_TEST_PIECE_LOG, and starts the program's
// own thread only after RETAINWISE_TEST_THREAD_DELAY_MS, as a slow machine would. With
// RETAINWISE_TEST_THREAD_EXIT_AT=N it ends itself when sent its Nth piece, as a crashed thread would.
import { appendFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";

let pieces = 0;
parentPort.on("message", (message) => {
  if (!message.piece) return;
  appendFileSync(process.env.RETAINWISE_TEST_PIECE_LOG, `${message.piece.byteLength}\n`);
  // process.exit() in a worker thread ends that thread only.
  if (++pieces === Number(process.env.RETAINWISE_TEST_THREAD_EXIT_AT)) process.exit(9);
});
await new Promise((resolve) => setTimeout(resolve, Number(process.env.RETAINWISE_TEST_THREAD_DELAY_MS ?? 0)));
// The program's entry serves a scoring thread when its workerData says so, as `retainwise score --threads` starts it.
await import("../../packages/cli/bin/retainwise.mjs");
