import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROGRAM_ENTRY } from "../../../../tests/support/score-text.ts";
import { RetainwiseError } from "../errors.ts";
import { fitTermModel } from "./boost/index.ts";
import { syntheticChurnTable } from "./boost/synthetic-table.ts";
import * as ort from "onnxruntime-node";
import { scoreTermModel } from "../model/term-scoring.ts";
import { tableCodes } from "./boost/index.ts";
import { cardJson, trainFromCsvFile, type TrainedArtifacts } from "./pipeline.ts";

/** Telecom usage with same-unit columns: every stage runs (mains, sums judged and boosted again, pairs judged and boosted, the forest). */
const MLC_PATH = fileURLToPath(new URL("../../../../tests/fixtures/mlc-churn-1500.csv", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-bags-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every row's contributions from the trained ONNX file sum with the intercept to the card's log-odds (TypeScript) within 1e-6. */
async function expectExactInOnnxruntime({ onnx, card, input }: TrainedArtifacts): Promise<void> {
  const rows = Array.from({ length: input.table.rows }, (_, r) => r);
  const codes = tableCodes(card, input.table, rows);
  const expected = scoreTermModel(card, codes, rows.length);
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out = await session.run({
      features: new ort.Tensor("float32", Float32Array.from(codes), [rows.length, card.inputs.length]),
    });
    const contributions = out.contributions!.data as Float32Array;
    const terms = card.terms.length;
    let worst = 0;
    for (const r of rows) {
      let logit = card.intercept;
      for (let t = 0; t < terms; t++) logit += contributions[r * terms + t]!;
      worst = Math.max(worst, Math.abs(logit - expected.logOdds[r]!));
    }
    expect(worst).toBeLessThan(1e-6);
  } finally {
    await session.release();
  }
}

describe("bags fitted on several threads", () => {
  it("give the same ONNX and card, byte for byte, on one thread and on two, whose pair, sum and forest terms are exact in onnxruntime", {
    timeout: 300_000,
  }, async () => {
    const train = (threads: number) =>
      trainFromCsvFile(MLC_PATH, {
        label: "churn",
        version: "v1",
        created: "2026-12-01T00:00:00.000Z",
        threads,
        workerEntry: PROGRAM_ENTRY,
      });
    const one = await train(1);
    const two = await train(2);
    expect(one.card.terms.some((t) => t.kind === "pair") || (one.card.derived ?? []).length > 0).toBe(true);
    expect(one.card.forest?.trees.length).toBeGreaterThan(0);
    expect(Buffer.from(two.onnx).equals(Buffer.from(one.onnx))).toBe(true);
    expect(cardJson(two.card)).toBe(cardJson(one.card));
    await expectExactInOnnxruntime(one);
  });

  it("report progress from 0 to 100 percent, never going back, with a step for every bag of every pass", {
    timeout: 120_000,
  }, async () => {
    const seen: number[] = [];
    await fitTermModel(syntheticChurnTable({ rows: 1500, seed: 2 }), {
      bags: 4,
      threads: 2,
      workerEntry: PROGRAM_ENTRY,
      onProgress: (p) => seen.push(p.percent),
    });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
    expect(seen.every((p, k) => k === 0 || p >= seen[k - 1]!)).toBe(true);
    // Two fits (measured, then refit), each a step for every one of the 4 bags.
    expect(new Set(seen).size).toBeGreaterThanOrEqual(2 * 4);
  });

  it("fail with train.thread_failed, not a hang, when a bagging thread dies", { timeout: 60_000 }, async () => {
    const dying = join(dir, "dying-thread.mjs");
    await writeFile(dying, "process.exit(3);\n");
    const error = await fitTermModel(syntheticChurnTable({ rows: 600, seed: 3 }), {
      bags: 4,
      threads: 2,
      workerEntry: dying,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetainwiseError);
    expect((error as RetainwiseError).code).toBe("train.thread_failed");
    expect((error as RetainwiseError).message).toMatch(/bagging thread.*stopped unexpectedly \(thread exit 3\)/);
  });
});
