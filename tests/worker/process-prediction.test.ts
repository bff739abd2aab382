import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_RECEIVES,
  TransientError,
  parseJobMessage,
  silentLogger,
  type ObjectStore,
} from "../../packages/core/src/index.ts";
import { relayOnce, startWorker } from "../../packages/worker/src/index.ts";
import { readObject, startJobHarness, TELCO_CSV, type JobHarness } from "../support/job-harness.ts";

let h: JobHarness;
beforeAll(async () => {
  h = await startJobHarness();
});
afterAll(() => h.close());

/**
 * Receives the next message other than a score copy and processes it, scoring with `store` (the real
 * one unless a fault is injected). The copies that completions queue are run on the way, as a worker
 * would (tests/worker/index-scores.test.ts is about them).
 */
async function processNext(store: ObjectStore = h.store) {
  for (;;) {
    const [message] = await h.queue.receive({ max: 1, waitSeconds: 5, visibilitySeconds: 1 });
    if (!message) throw new Error("no message arrived");
    const outcome = await h.run(message, { scoreStore: store });
    if (parseJobMessage(message.body)?.kind !== "index-scores") return outcome;
  }
}

/** What a completion leaves in the queue: its score copy's message, and nothing else (released for the next test's `processNext`). */
async function expectOnlyScoreCopyLeft(id: string): Promise<void> {
  const left = await h.queue.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 1 });
  expect(left.map((m) => parseJobMessage(m.body))).toEqual([{ kind: "index-scores", id }]);
  await h.queue.release(left[0]!.receipt);
}

describe("processing a prediction", () => {
  it("scores the Telco file into a complete result and marks the job COMPLETED with metrics", async () => {
    const submitted = await h.submit(TELCO_CSV);
    expect(await processNext()).toBe("completed");
    const row = await h.waitFor(submitted.id, (r) => r.status === "COMPLETED");
    expect(row.outputKey).toBe(`results/${submitted.id}/attempt-1.csv`);
    expect(row.rowsProcessed).toBe(5626);
    expect(row.metrics?.rowsScored).toBe(5626);
    expect(row.metrics?.topRisks).toHaveLength(20);
    expect(row.modelVersion).toBe("telco-v1");
    const lines = (await readObject(h.store, row.outputKey!)).trim().split("\n");
    expect(lines).toHaveLength(5627);
    await expectOnlyScoreCopyLeft(submitted.id);
  });

  it("fails a file with missing columns at once, with the customer-readable message, and deletes the message", async () => {
    const submitted = await h.submit("customerID,tenure\nA-1,3\n", { path: false });
    expect(await processNext()).toBe("failed");
    const row = await h.waitFor(submitted.id, (r) => r.status === "FAILED");
    expect(row.errorCode).toBe("csv.missing_columns");
    expect(row.errorMessage).toMatch(/missing 18 required columns/);
    expect(row.attempts).toBe(1);
  });

  it("takes customer_id from the prediction's idColumn (?idColumn=), and fails a file without it naming the closest columns", async () => {
    const [header, ...lines] = (await readFile(TELCO_CSV, "utf8")).trimEnd().split("\n");
    const text =
      [`Account Ref,${header}`, ...lines.slice(0, 30).map((line, i) => `R-${i + 1},${line}`)].join("\n") + "\n";
    const named = await h.submit(text, { path: false, idColumn: "account_ref" });
    expect(await processNext()).toBe("completed");
    const row = await h.waitFor(named.id, (r) => r.status === "COMPLETED");
    expect(row.idColumn).toBe("account_ref");
    const scored = (await readObject(h.store, row.outputKey!)).trim().split("\n");
    expect(scored[1]).toMatch(/^R-1,0\.\d{4},/);
    const missing = await h.submit(text, { path: false, idColumn: "Account Reff" });
    expect(await processNext()).toBe("failed");
    const failed = await h.waitFor(missing.id, (r) => r.status === "FAILED");
    expect(failed.errorCode).toBe("csv.missing_columns");
    expect(failed.errorMessage).toMatch(
      /^The file has no column "Account Reff" to take customer ids from \(closest: "Account Ref"\)/,
    );
  });

  it("fails a bad file cleanly when the store has not started reading the result yet", async () => {
    // Scoring fails before put() listens to its body: destroying the body must not become an uncaught error.
    const slowToListen: ObjectStore = {
      ...h.store,
      put: async (key, body, options) => {
        await new Promise((r) => setTimeout(r, 100));
        return h.store.put(key, body, options);
      },
    };
    const submitted = await h.submit("customerID,tenure\nA-1,3\n", { path: false });
    expect(await processNext(slowToListen)).toBe("failed");
    const row = await h.waitFor(submitted.id, (r) => r.status === "FAILED");
    expect(row.errorCode).toBe("csv.missing_columns");
    expect(await h.store.head(`results/${submitted.id}/attempt-1.csv`)).toBeNull();
  });

  it("keeps the error report of a job failed on too many bad rows, one line per bad row, and deletes the result", async () => {
    const telco = (await readFile(TELCO_CSV, "utf8")).split("\n");
    const ragged = telco.slice(1, 41).map((line) => line.split(",").slice(0, 7).join(","));
    const submitted = await h.submit([...telco.slice(0, 11), ...ragged].join("\n") + "\n", { path: false });
    expect(await processNext()).toBe("failed");
    const row = await h.waitFor(submitted.id, (r) => r.status === "FAILED");
    expect(row.errorCode).toBe("csv.too_many_bad_rows");
    expect(row.errorMessage).toContain(
      "Most common problem (40 rows): the row has 7 fields but the header has 21, first at row 11",
    );
    const report = (await readObject(h.store, `results/${submitted.id}/attempt-1.errors.csv`)).trim().split("\n");
    expect(report).toHaveLength(41);
    expect(report[1]).toBe(`11,${ragged[0]!.split(",")[0]},the row has 7 fields but the header has 21`);
    expect(await h.store.head(`results/${submitted.id}/attempt-1.csv`)).toBeNull();
  });

  it("does not hang when the store fails as the job starts writing its result: the job is retried", async () => {
    // put() fails before it ever reads its body, as a results directory that cannot be written does.
    const unwritable: ObjectStore = {
      ...h.store,
      put: async (key, body, options) =>
        key.startsWith("results/")
          ? Promise.reject(new TransientError("store.unavailable", "cannot write"))
          : h.store.put(key, body, options),
    };
    const submitted = await h.submit(TELCO_CSV);
    expect(await processNext(unwritable)).toBe("retry");
    const row = await h.waitFor(submitted.id, (r) => r.status === "QUEUED");
    expect(row.attempts).toBe(1);
    await h.db.sql`update job_queue set visible_at = now()`;
    expect(await processNext()).toBe("completed");
  }, 20_000);

  it("scores a duplicated message once, the copy in the shape older releases sent: it is dropped once the job is COMPLETED", async () => {
    const submitted = await h.submit(TELCO_CSV);
    await h.queue.send({ predictionId: submitted.id } as never);
    expect(await processNext()).toBe("completed");
    expect(await processNext()).toBe("skipped");
    const row = await h.waitFor(submitted.id, (r) => r.status === "COMPLETED");
    expect(row.attempts).toBe(1);
    await expectOnlyScoreCopyLeft(submitted.id);
  });

  it("retries transient store failures by redelivery and fails the job with a reason on the last receive", async () => {
    const broken: ObjectStore = {
      ...h.store,
      get: async () => Promise.reject(new TransientError("store.unavailable", "the store is down")),
    };
    const submitted = await h.submit(TELCO_CSV);
    const outcomes: string[] = [];
    for (let receive = 1; receive <= MAX_RECEIVES; receive++) {
      // Skip the retry backoff: make the message visible again at once.
      if (receive > 1) await h.db.sql`update job_queue set visible_at = now()`;
      outcomes.push(await processNext(broken));
    }
    expect(outcomes).toEqual(["retry", "retry", "failed"]);
    const row = await h.waitFor(submitted.id, (r) => r.status === "FAILED");
    expect(row.errorCode).toBe("job.attempts_exhausted");
    expect(row.errorMessage).toMatch(/could not finish this job after 3 attempts/);
    await h.db.sql`update job_queue set visible_at = now()`;
    expect(await h.queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 1 })).toEqual([]);
    expect((await h.queue.deadLetters()).map((d) => JSON.parse(d.body).id)).toContain(submitted.id);
  });

  it("dead-letters a poison message after 3 receives without touching any job", async () => {
    await h.queue.send({ predictionId: "not-a-uuid" } as never);
    for (let receive = 1; receive <= MAX_RECEIVES; receive++) {
      if (receive > 1) await h.db.sql`update job_queue set visible_at = now()`;
      expect(await processNext()).toBe("poison");
    }
    await h.db.sql`update job_queue set visible_at = now()`;
    expect(await h.queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 1 })).toEqual([]);
    expect((await h.queue.deadLetters()).some((d) => d.body.includes("not-a-uuid"))).toBe(true);
  });

  it("a job whose enqueue failed is sent by the relay and then completes", async () => {
    const submitted = await h.submit(TELCO_CSV, { send: false });
    expect((await h.predictions.getById(submitted.id))?.enqueuedAt).toBeNull();
    const relayed = await relayOnce({
      jobs: [{ kind: "score", rows: h.predictions }],
      queue: h.queue,
      intervalSeconds: 1,
      graceSeconds: 0,
      staleAfterSeconds: 20,
      logger: silentLogger,
    });
    expect(relayed.resent).toBe(1);
    expect(await processNext()).toBe("completed");
    await h.waitFor(submitted.id, (r) => r.status === "COMPLETED");
  });

  it("a worker loop with concurrency 4 completes 12 jobs, each exactly once", async () => {
    const submitted = await Promise.all(Array.from({ length: 12 }, () => h.submit(TELCO_CSV)));
    const worker = startWorker({
      queue: h.queue,
      concurrency: 4,
      visibilitySeconds: 30,
      waitSeconds: 1,
      logger: silentLogger,
      handle: (message, shutdown) => h.run(message, { shutdown }),
    });
    const rows = await Promise.all(submitted.map((p) => h.waitFor(p.id, (r) => r.status === "COMPLETED")));
    await worker.stop(5_000);
    expect(rows.every((r) => r.attempts === 1 && r.rowsProcessed === 5626)).toBe(true);
  });

  it("on shutdown past its deadline, a worker releases its running job: QUEUED again and its message redelivered at once", async () => {
    const big = (await readFile(TELCO_CSV, "utf8")).trimEnd();
    const rows = big.slice(big.indexOf("\n") + 1);
    const submitted = await h.submit([big, ...Array.from({ length: 60 }, () => rows)].join("\n") + "\n", {
      path: false,
    });
    const worker = startWorker({
      queue: h.queue,
      concurrency: 1,
      visibilitySeconds: 30,
      waitSeconds: 1,
      logger: silentLogger,
      handle: (message, shutdown) => h.run(message, { heartbeatSeconds: 0.1, shutdown }),
    });
    await h.waitFor(submitted.id, (r) => r.status === "RUNNING" && r.rowsProcessed > 0);
    await worker.stop(0);
    const released = await h.predictions.getById(submitted.id);
    expect(released?.status).toBe("QUEUED");
    expect(released?.attempts).toBe(1);
    const [again] = await h.queue.receive({ max: 1, waitSeconds: 1, visibilitySeconds: 1 });
    expect(JSON.parse(again!.body).id).toBe(submitted.id);
    expect(again!.receiveCount).toBe(2);
    await h.queue.delete(again!.receipt);
  });
});
