// A scoring thread for tests of parallel scoring (packages/core/src/scoring/ranges.ts): it adds the
// bytes of every range it is sent to the file named by RETAINWISE_TEST_RANGE_LOG, and starts the
// program's own thread only after RETAINWISE_TEST_THREAD_DELAY_MS, as a slow machine would. With
// RETAINWISE_TEST_THREAD_EXIT_AT=N it ends itself when sent its Nth range, as a crashed thread would.
import { appendFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";

let tasks = 0;
parentPort.on("message", (message) => {
  if (!message.range) return;
  appendFileSync(process.env.RETAINWISE_TEST_RANGE_LOG, `${message.range.end - message.range.start}\n`);
  // process.exit() in a worker thread ends that thread only.
  if (++tasks === Number(process.env.RETAINWISE_TEST_THREAD_EXIT_AT)) process.exit(9);
});
await new Promise((resolve) => setTimeout(resolve, Number(process.env.RETAINWISE_TEST_THREAD_DELAY_MS ?? 0)));
// The program's entry serves a scoring thread when its workerData says so, as `retainwise score --threads` starts it.
await import("../../packages/cli/bin/retainwise.mjs");
