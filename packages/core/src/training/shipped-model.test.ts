import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { ModelCard } from "../model/card.ts";
import { cardPathFor } from "../model/card.ts";
import { readModelCard } from "./card.ts";
import type { LabeledDataset } from "./dataset.ts";
import { readLabeledCsv } from "./dataset.ts";

/**
 * What the scoring core relies on when it turns `contributions` into reasons, checked on the
 * shipped file itself: every output column maps to a labelled card input, and customers get both
 * risk and protective factors.
 */
const FIXTURE = new URL("../../../../tests/fixtures/telco-churn.csv", import.meta.url);
const SHIPPED_MODEL = new URL("../../../../models/churn-v1.onnx", import.meta.url).pathname;
const SAMPLE_ROWS = 200;

let data: LabeledDataset;
let card: ModelCard;
let probabilities: Float32Array;
let contributions: Float32Array;

beforeAll(async () => {
  data = readLabeledCsv(readFileSync(FIXTURE), { label: "Churn" });
  card = await readModelCard(cardPathFor(SHIPPED_MODEL));
  const session = await ort.InferenceSession.create(SHIPPED_MODEL);
  const feeds: Record<string, ort.Tensor> = {};
  data.columns.forEach((column, j) => {
    const cells = data.values[j]!.slice(0, SAMPLE_ROWS);
    feeds[column.name] =
      column.type === "string"
        ? new ort.Tensor("string", cells as string[], [SAMPLE_ROWS, 1])
        : new ort.Tensor("float32", Float32Array.from(cells as Float64Array), [SAMPLE_ROWS, 1]);
  });
  const out = await session.run(feeds);
  probabilities = out.probabilities!.data as Float32Array;
  contributions = out.contributions!.data as Float32Array;
});

describe("the shipped churn-v1 model", () => {
  it("gives each scored customer at least one risk factor and one protective factor", () => {
    const width = card.inputs.length;
    for (let i = 0; i < SAMPLE_ROWS; i++) {
      const row = Array.from(contributions.subarray(i * width, (i + 1) * width));
      expect(row.some((c) => c > 0)).toBe(true);
      expect(row.some((c) => c < 0)).toBe(true);
    }
  });

  it("ranks churners' top factors as risks: their contributions sum above non-churners'", () => {
    const width = card.inputs.length;
    const total = (i: number) => contributions.subarray(i * width, (i + 1) * width).reduce((a, b) => a + b, 0);
    const mean = (rows: number[]) => rows.reduce((s, i) => s + total(i), 0) / rows.length;
    const rows = Array.from({ length: SAMPLE_ROWS }, (_, i) => i);
    expect(mean(rows.filter((i) => data.labels[i]))).toBeGreaterThan(mean(rows.filter((i) => !data.labels[i])));
  });

  it("moves the churn probability in the direction of the contributions' sum", () => {
    const width = card.inputs.length;
    const base = 1 / (1 + Math.exp(-Number(contributionFreeLogit())));
    for (let i = 0; i < SAMPLE_ROWS; i++) {
      const sum = contributions.subarray(i * width, (i + 1) * width).reduce((a, b) => a + b, 0);
      if (Math.abs(sum) > 1e-4) expect(Math.sign(probabilities[2 * i + 1]! - base)).toBe(Math.sign(sum));
    }
  });
});

/** The intercept, recovered from any row: logit(p) − Σ contributions. */
function contributionFreeLogit(): number {
  const width = card.inputs.length;
  const p = probabilities[1]!;
  return Math.log(p / (1 - p)) - contributions.subarray(0, width).reduce((a, b) => a + b, 0);
}
