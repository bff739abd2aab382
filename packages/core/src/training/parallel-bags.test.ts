import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROGRAM_ENTRY } from "../../../../tests/support/score-text.ts";
import { RetainwiseError } from "../errors.ts";
import { fitTermModel } from "./boost/index.ts";
import { syntheticChurnTable } from "./boost/synthetic-table.ts";
import { cardJson, trainFromCsvFile } from "./pipeline.ts";

/** Telecom usage with same-unit columns: every stage runs (mains, sums judged and boosted again, pairs judged and boosted). */
const MLC_PATH = fileURLToPath(new URL("../../../../tests/fixtures/mlc-churn-1500.csv", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-bags-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("bags fitted on several threads", () => {
  it("give the same ONNX and card, byte for byte, on one thread and on two", { timeout: 300_000 }, async () => {
    const train = (threads: number) =>
      trainFromCsvFile(MLC_PATH, { label: "churn", version: "v1", created: "2026-12-01T00:00:00.000Z", threads, workerEntry: PROGRAM_ENTRY });
    const one = await train(1);
    const two = await train(2);
    expect(one.card.terms.some((t) => t.kind === "pair") || (one.card.derived ?? []).length > 0).toBe(true);
    expect(Buffer.from(two.onnx).equals(Buffer.from(one.onnx))).toBe(true);
    expect(cardJson(two.card)).toBe(cardJson(one.card));
  });

  it("report progress from 0 to 100 percent, never going back, with a step for every bag of every pass", { timeout: 120_000 }, async () => {
    const seen: number[] = [];
    await fitTermModel(syntheticChurnTable({ rows: 1500, seed: 2 }), { bags: 4, threads: 2, workerEntry: PROGRAM_ENTRY, onProgress: (p) => seen.push(p.percent) });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
    expect(seen.every((p, k) => k === 0 || p >= seen[k - 1]!)).toBe(true);
    // Two fits (measured, then refit), each a step for every one of the 4 bags.
    expect(new Set(seen).size).toBeGreaterThanOrEqual(2 * 4);
  });

  it("fail with train.thread_failed, not a hang, when a bagging thread dies", { timeout: 60_000 }, async () => {
    const dying = join(dir, "dying-thread.mjs");
    await writeFile(dying, "process.exit(3);\n");
    const error = await fitTermModel(syntheticChurnTable({ rows: 600, seed: 3 }), { bags: 4, threads: 2, workerEntry: dying }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetainwiseError);
    expect((error as RetainwiseError).code).toBe("train.thread_failed");
    expect((error as RetainwiseError).message).toMatch(/bagging thread.*stopped unexpectedly \(thread exit 3\)/);
  });
});
