import { execFile } from "node:child_process";
import { constants, open, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MAX_RECEIVES, sendJob } from "../../packages/core/src/index.ts";
import { startJobHarness, type JobHarness } from "../support/job-harness.ts";
import { workerProcesses } from "../support/worker-process.ts";

let h: JobHarness;
const workers = workerProcesses(() => h);
let writer: FileHandle | undefined;
beforeAll(async () => {
  h = await startJobHarness();
});
afterAll(async () => {
  // Closing the writer ends the reads the worker still has blocked on the pipe.
  await writer?.close();
  await workers.stopAll();
  await h.close();
});

it("a job whose input read never resolves is aborted by the watchdog, retried, and ends FAILED with a readable reason", {
  timeout: 180_000,
}, async () => {
  const submitted = await h.submit("customerID,tenure\n", { send: false, path: false });
  // The stored upload becomes a named pipe that delivers a header and a few rows, then nothing ever
  // again: the real file store opens it as usual and its body read hangs, as on a stuck disk or socket.
  const fifo = join(h.dataDir, "files", submitted.inputKey);
  await rm(fifo);
  await promisify(execFile)("mkfifo", [fifo]);
  writer = await open(fifo, constants.O_RDWR); // O_RDWR: open a pipe without waiting for a reader
  await writer.write("customerID,gender,SeniorCitizen\nA-1,Male,0\nA-2,Female,1\n");
  await sendJob("score", submitted.id, h.queue, h.predictions);

  const worker = workers.start({ RETAINWISE_STALL_HEARTBEATS: "5" }, { stderr: "pipe" });
  const log: string[] = [];
  worker.stderr!.setEncoding("utf8").on("data", (chunk: string) => log.push(chunk));

  const failed = await h.waitFor(submitted.id, (row) => row.status !== "QUEUED" && row.status !== "RUNNING", 150_000);
  expect(failed.status).toBe("FAILED");
  expect(failed.attempts).toBe(MAX_RECEIVES);
  expect(failed.errorCode).toBe("job.attempts_exhausted");
  expect(failed.errorMessage).toMatch(
    /after 3 attempts because it stopped making progress each time \(no progress for 2 s\)\. Please submit it again/,
  );
  const stalls = log
    .join("")
    .split("\n")
    .filter((line) => line.includes("job made no progress"));
  expect(stalls).toHaveLength(MAX_RECEIVES);
  for (const line of stalls) expect(JSON.parse(line)).toMatchObject({ jobId: submitted.id, heartbeats: 5 });
});
