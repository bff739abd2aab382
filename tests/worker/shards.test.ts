import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetainwiseError, type ObjectStore, type Prediction, type Sharding } from "../../packages/core/src/index.ts";
import { readObject, startJobHarness, type JobHarness, type RunOptions } from "../support/job-harness.ts";
import { readTelco, toCsv } from "../support/telco.ts";

/**
 * Large predictions split into shards (packages/core/src/predictions/shards.ts) in local mode: real
 * PostgreSQL, the files-on-disk store, the Postgres queue, the shipped model. Every message is run
 * as the worker runs it, in whatever order the queue hands them out.
 */
const SHARDING: Sharding = { minBytes: 100_000, shardBytes: 250_000 };

let h: JobHarness;
beforeAll(async () => {
  h = await startJobHarness();
});
afterAll(() => h.close());

/** The Telco rows repeated to `rows`, fresh ids, with rows no model can score sprinkled through (a stray quote's reason names its line). */
function customers(rows: number, options: { idColumn?: boolean; poison?: { at: number; text: string } } = {}): string {
  const telco = readTelco();
  const tenure = telco.headers.indexOf("tenure");
  const out = Array.from({ length: rows }, (_, i) => {
    const row = [...telco.rows[i % telco.rows.length]!];
    row[0] = `C${i}`;
    if (i % 997 === 13) row[tenure] = "twelve";
    return row;
  });
  const text =
    options.idColumn === false
      ? toCsv(
          telco.headers.slice(1),
          out.map((row) => row.slice(1)),
        )
      : toCsv(telco.headers, out);
  const lines = text.split("\n");
  // A stray quote mid-field (written raw: toCsv would quote it) is a row csv-parse cannot read, its reason naming its line.
  for (let line = 8; line < lines.length - 1; line += 1499) lines[line] = lines[line]!.replace(/,(Yes|No),/, ',$1"x,');
  if (options.poison) lines[options.poison.at] = options.poison.text;
  return lines.join("\n");
}

/** Runs messages until `prediction` is over, as workers would; returns its last row. */
async function runUntilDone(id: string, options: RunOptions = {}, timeoutMs = 120_000): Promise<Prediction> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = (await h.predictions.getById(id))!;
    if (["COMPLETED", "FAILED", "CANCELED"].includes(row.status)) return row;
    if (Date.now() > deadline) throw new Error(`prediction ${id} still ${row.status}`);
    const [message] = await h.queue.receive({ max: 1, waitSeconds: 1, visibilitySeconds: 30 });
    if (message) await h.run(message, options);
  }
}

/** What a prediction produced: its three objects and what its row says. */
async function resultsOf(row: Prediction) {
  // The mean is summed in another order (shard by shard, as threads' parts are): equal to about 1e-15, not to the bit.
  const { meanProbability, ...metrics } = row.metrics!;
  return {
    meanProbability: meanProbability!,
    output: await readObject(h.store, row.outputKey!),
    errors: await readObject(h.store, `results/${row.id}/attempt-${row.attempts}.errors.csv`),
    scores: await readObject(h.store, `results/${row.id}/attempt-${row.attempts}.scores.jsonl`),
    metrics,
    drift: row.drift,
    rowsProcessed: row.rowsProcessed,
    rowsFailed: row.rowsFailed,
  };
}

/** The same bytes, counts and summary; the mean to 12 digits (`resultsOf`). */
function expectSameResults(
  actual: Awaited<ReturnType<typeof resultsOf>>,
  expected: Awaited<ReturnType<typeof resultsOf>>,
): void {
  expect({ ...actual, meanProbability: 0 }).toEqual({ ...expected, meanProbability: 0 });
  expect(actual.meanProbability).toBeCloseTo(expected.meanProbability, 12);
}

async function scoredWhole(csv: string) {
  const whole = await runUntilDone((await h.submit(csv, { path: false })).id);
  expect(whole.status).toBe("COMPLETED");
  return resultsOf(whole);
}

describe.each([
  { ids: "an id column", idColumn: true },
  { ids: "row numbers for ids", idColumn: false },
])("a prediction over the threshold, with $ids", ({ idColumn }) => {
  it("is scored in shards that merge into the bytes one scoring of the whole file writes", async () => {
    const csv = customers(20_000, { idColumn });
    const whole = await scoredWhole(csv);
    const submitted = await h.submit(csv, { path: false });
    const sharded = await runUntilDone(submitted.id, { sharding: SHARDING });
    expect(sharded.status).toBe("COMPLETED");
    const shards = await h.shards.listFor(submitted.id);
    expect(shards.length).toBeGreaterThanOrEqual(8);
    expect(shards.every((s) => s.status === "COMPLETED" && s.attempts === 1)).toBe(true);
    // The positions in reasons and (without an id column) the ids themselves are file-wide.
    expect(whole.errors).toMatch(/line \d+ could not be read/);
    expectSameResults(await resultsOf(sharded), whole);
    // The shards' parts are dropped once merged.
    expect(await h.store.head(shards[0]!.result!.outputKey)).toBeNull();
  });
});

it("a retried shard replaces only its own part: one failed read, one retry, the same bytes", async () => {
  const csv = customers(12_000);
  const whole = await scoredWhole(csv);
  const submitted = await h.submit(csv, { path: false });
  const flaky = failingRangeReads(h.store, { skipFirst: 2, times: 1 });
  const sharded = await runUntilDone(submitted.id, { sharding: SHARDING, scoreStore: flaky.store }, 180_000);
  expect(sharded.status).toBe("COMPLETED");
  const shards = await h.shards.listFor(submitted.id);
  expect(shards.map((s) => s.attempts).sort()).toEqual([...Array(shards.length - 1).fill(1), 2]);
  expectSameResults(await resultsOf(sharded), whole);
}, 240_000);

it("a shard with a broken quote fails the prediction as one scoring of the file would, rows and lines file-wide", async () => {
  const csv = customers(20_000, { poison: { at: 14_000, text: 'C13999,"Female,0,Yes' } });
  const whole = await runUntilDone((await h.submit(csv, { path: false })).id);
  expect(whole.status).toBe("FAILED");
  const submitted = await h.submit(csv, { path: false });
  const sharded = await runUntilDone(submitted.id, { sharding: SHARDING });
  expect(sharded.status).toBe("FAILED");
  expect(sharded.errorCode).toBe(whole.errorCode);
  expect(sharded.errorMessage).toBe(whole.errorMessage);
  expect(sharded.errorMessage).toMatch(/row 1[34]\d{3}\b/);
  // It was a later shard's error: its row and line numbers were resolved after the shards before it.
  const shards = await h.shards.listFor(submitted.id);
  expect(shards.find((s) => s.status === "FAILED")!.index).toBeGreaterThan(0);
});

it("a shard that fails on every attempt fails the prediction, naming the row and byte its part starts at", async () => {
  const submitted = await h.submit(customers(12_000), { path: false });
  const broken = failingRangeReads(h.store, { skipFirst: 2, times: Number.POSITIVE_INFINITY });
  const failed = await runUntilDone(submitted.id, { sharding: SHARDING, scoreStore: broken.store }, 180_000);
  expect(failed.status).toBe("FAILED");
  // Its own code, a conflict: one code has one kind now, and retrying the merge would lose where the part starts.
  expect(failed.errorCode).toBe("job.shard_failed");
  const shards = await h.shards.listFor(submitted.id);
  const poison = shards.find((s) => s.status === "FAILED")!;
  expect(poison.attempts).toBe(3);
  // Its row: one past the rows of the shards before it, all of which completed.
  const rowsBefore = shards.filter((s) => s.index < poison.index).reduce((sum, s) => sum + s.rowsProcessed, 0);
  expect(shards.filter((s) => s.index < poison.index).every((s) => s.status === "COMPLETED")).toBe(true);
  expect(failed.errorMessage).toContain(
    `starts at row ${rowsBefore + 1} (byte ${poison.startByte.toLocaleString("en-US")})`,
  );
  // The shards after it could not change the verdict: canceled, not scored.
  expect(
    shards.filter((s) => s.index > poison.index).every((s) => s.status === "CANCELED" || s.status === "COMPLETED"),
  ).toBe(true);
  expect(
    await h.store.head(poison.result?.outputKey ?? `results/${submitted.id}/shards/${poison.index}/attempt-3.csv`),
  ).toBeNull();
}, 240_000);

it("canceling a split prediction cancels every shard: their messages are dropped and nothing is scored", async () => {
  const submitted = await h.submit(customers(12_000), { path: false });
  const [split] = await h.queue.receive({ max: 1, waitSeconds: 5, visibilitySeconds: 30 });
  expect(await h.run(split!, { sharding: SHARDING })).toBe("completed");
  expect((await h.predictions.getById(submitted.id))!.status).toBe("SHARDED");
  expect((await h.predictions.cancel(h.accountId, submitted.id))!.status).toBe("CANCELED");
  const shards = await h.shards.listFor(submitted.id);
  expect(shards.every((s) => s.status === "CANCELED")).toBe(true);
  for (const _ of shards) {
    const [message] = await h.queue.receive({ max: 1, waitSeconds: 1, visibilitySeconds: 30 });
    expect(await h.run(message!, { sharding: SHARDING })).toBe("skipped");
  }
  expect(await h.queue.receive({ max: 1, waitSeconds: 0, visibilitySeconds: 30 })).toEqual([]);
  expect(await h.store.head(`results/${submitted.id}/shards/0/attempt-1.csv`)).toBeNull();
});

/**
 * The store, except that ranged reads of the input (a shard's; the first `skipFirst` are the
 * split's and the first shard's head) fail `times` times for the first shard that asks after that.
 */
function failingRangeReads(store: ObjectStore, options: { skipFirst: number; times: number }): { store: ObjectStore } {
  let seen = 0;
  let victim: number | undefined;
  let failures = 0;
  return {
    store: {
      ...store,
      get: (key, getOptions) => {
        const start = getOptions?.range?.start;
        if (
          key.startsWith("inputs/") &&
          start !== undefined &&
          start > 0 &&
          getOptions!.range!.end - start < 1_000_000
        ) {
          seen++;
          if (victim === undefined && seen > options.skipFirst) victim = start;
          if (start === victim && failures < options.times) {
            failures++;
            return Promise.reject(new RetainwiseError("store.unavailable", "The file store failed reading (EIO)."));
          }
        }
        return store.get(key, getOptions);
      },
    },
  };
}
