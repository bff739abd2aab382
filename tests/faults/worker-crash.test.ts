import { join } from "node:path";
import { once } from "node:events";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readObject, startJobHarness, type JobHarness } from "../support/job-harness.ts";
import { writeTelcoRows } from "../support/telco.ts";
import { workerProcesses } from "../support/worker-process.ts";

const ROWS = 400_000;

let h: JobHarness;
let bigCsv: string;
const workers = workerProcesses(() => h);
beforeAll(async () => {
  h = await startJobHarness();
  bigCsv = join(h.dataDir, "big.csv");
  await writeTelcoRows(bigCsv, ROWS);
});
afterAll(async () => {
  await workers.stopAll();
  await h.close();
});

it("a worker SIGKILLed mid-job leaves the job to be completed once, with complete output, by the next worker", async () => {
  const submitted = await h.submit(bigCsv);
  const first = workers.start();
  await h.waitFor(submitted.id, (row) => row.status === "RUNNING" && row.rowsProcessed > 0, 60_000);
  first.kill("SIGKILL");
  await once(first, "exit");
  const interrupted = await h.predictions.getById(submitted.id);
  expect(interrupted?.status).toBe("RUNNING");
  expect(interrupted!.rowsProcessed).toBeLessThan(ROWS);

  const second = workers.start();
  const done = await h.waitFor(submitted.id, (row) => row.status === "COMPLETED" || row.status === "FAILED", 120_000);
  second.kill("SIGTERM");
  expect(done.status).toBe("COMPLETED");
  expect(done.attempts).toBe(2);
  expect(done.rowsProcessed).toBe(ROWS);
  expect(done.outputKey).toBe(`results/${submitted.id}/attempt-2.csv`);
  const output = await readObject(h.store, done.outputKey!);
  expect(output.trimEnd().split("\n")).toHaveLength(ROWS + 1);
  expect(await h.store.head(`results/${submitted.id}/attempt-1.csv`)).toBeNull();
});
