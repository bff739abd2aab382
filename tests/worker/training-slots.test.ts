import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseJobMessage, sendJob, silentLogger } from "../../packages/core/src/index.ts";
import { startWorker } from "../../packages/worker/src/index.ts";
import { startJobHarness, TELCO_CSV, type JobHarness } from "../support/job-harness.ts";

/**
 * Issue 26, item 2: the worker loop over the real Postgres queue, two slots, as `retainwise worker`
 * runs them (`longJobs`: at most one slot of two trains). One account's trainings are held running
 * until the test lets them go; another account's prediction, sent once the slots have settled (so
 * the claim's fairness cannot be what saves it), must be scored.
 */
let h: JobHarness;
beforeAll(async () => {
  h = await startJobHarness();
});
afterAll(() => h.close());

it("scores another account's prediction sent while one account's trainings hold every slot that may train", async () => {
  const trainer = randomUUID();
  for (let i = 0; i < 3; i++) await h.queue.send({ kind: "train", id: randomUUID() }, { group: trainer });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let trainingsStarted = 0;
  let firstStarted!: () => void;
  const started = new Promise<void>((resolve) => {
    firstStarted = resolve;
  });
  const parked = h.queue.parked();
  const worker = startWorker({
    queue: h.queue,
    concurrency: 2,
    longJobs: { kinds: ["train"], maxSlots: 1 },
    visibilitySeconds: 60,
    waitSeconds: 5,
    logger: silentLogger,
    async handle(message) {
      if (parseJobMessage(message.body)?.kind !== "train") return h.run(message);
      trainingsStarted++;
      firstStarted();
      await released;
      await h.queue.delete(message.receipt);
    },
  });
  try {
    // One slot trains; the other, with two trainings still queued, waits for other work.
    await within(10_000, Promise.all([started, parked]), "no slot was left free while trainings were queued");
    expect(trainingsStarted).toBe(1);
    const telco = (await readFile(TELCO_CSV, "utf8")).split("\n").slice(0, 201).join("\n") + "\n";
    const prediction = await h.submit(telco, { send: false });
    await sendJob("score", prediction.id, h.queue, h.predictions, h.accountId);
    const scored = await h.waitFor(prediction.id, (p) => p.status === "COMPLETED" || p.status === "FAILED", 30_000);
    expect(scored.status).toBe("COMPLETED");
    expect(trainingsStarted).toBe(1);
  } finally {
    release();
    await worker.stop(5_000);
  }
});

/** `promise`, or a failure naming `what` after `ms` (a deadline, not a sleep: it resolves as soon as the event does). */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
