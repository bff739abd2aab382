import { createHash } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startJobHarness, type JobHarness } from "../support/job-harness.ts";
import { writeTelcoRows } from "../support/telco.ts";
import { workerProcesses } from "../support/worker-process.ts";

/**
 * A large prediction split into shards across `retainwise worker` processes, one of which is
 * SIGKILLed while scoring a shard: that shard alone is scored again (by another worker), the
 * shards already done are merged as they were, and the result is the bytes one scoring writes.
 */
const ROWS = 200_000;
const SHARDS = {
  RETAINWISE_SHARD_MIN_BYTES: "1000000",
  RETAINWISE_SHARD_BYTES: "3000000",
  RETAINWISE_WORKER_CONCURRENCY: "1",
};

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

async function sha256Of(key: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of await h.store.get(key)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

it("a worker SIGKILLed mid-shard: that shard alone is retried, and the merged result is the whole file's", async () => {
  // The same file scored whole, by the same program, as the reference.
  const whole = await h.submit(bigCsv);
  const reference = workers.start({ RETAINWISE_SHARD_MIN_BYTES: String(10 * 1024 ** 3) });
  const scored = await h.waitFor(whole.id, (row) => row.status === "COMPLETED" || row.status === "FAILED", 180_000);
  reference.kill("SIGKILL");
  await once(reference, "exit");
  expect(scored.status).toBe("COMPLETED");

  const submitted = await h.submit(bigCsv);
  const first = workers.start(SHARDS);
  const shardsAt = () => h.shards.listFor(submitted.id);
  let before = await shardsAt();
  const deadline = Date.now() + 120_000;
  while (
    !(before.some((s) => s.status === "COMPLETED") && before.some((s) => s.status === "RUNNING" && s.rowsProcessed > 0))
  ) {
    if (Date.now() > deadline) throw new Error(`no shard was mid-way: ${before.map((s) => s.status).join(",")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    before = await shardsAt();
  }
  first.kill("SIGKILL");
  await once(first, "exit");
  const killed = (await shardsAt()).find((s) => s.status === "RUNNING")!;
  const doneBefore = before.filter((s) => s.status === "COMPLETED");
  expect(before.length).toBeGreaterThanOrEqual(8);

  // Any worker takes any shard: two more share the rest.
  workers.start(SHARDS);
  workers.start(SHARDS);
  const done = await h.waitFor(submitted.id, (row) => row.status === "COMPLETED" || row.status === "FAILED", 180_000);
  expect(done.status).toBe("COMPLETED");
  const after = await shardsAt();
  for (const shard of after)
    expect({ index: shard.index, attempts: shard.attempts }).toEqual({
      index: shard.index,
      attempts: shard.id === killed.id ? 2 : 1,
    });
  // The shards done before the kill were merged from the parts they wrote then.
  for (const shard of doneBefore)
    expect(after.find((s) => s.id === shard.id)!.result!.outputKey).toBe(shard.result!.outputKey);
  expect(done.rowsProcessed).toBe(ROWS);
  expect(await sha256Of(done.outputKey!)).toBe(await sha256Of(scored.outputKey!));
  expect(await sha256Of(`results/${done.id}/attempt-${done.attempts}.scores.jsonl`)).toBe(
    await sha256Of(`results/${scored.id}/attempt-${scored.attempts}.scores.jsonl`),
  );
}, 420_000);
