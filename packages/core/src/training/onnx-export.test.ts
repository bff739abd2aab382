import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { LabeledDataset } from "./dataset.ts";
import { readLabeledCsv } from "./dataset.ts";
import { rowCells } from "./features.ts";
import type { AdditiveModel, RawCell } from "./model.ts";
import { scoreRow } from "./model.ts";
import { exportOnnx } from "./onnx-export.ts";
import { trainChurnModel } from "./train.ts";

const FIXTURE = new URL("../../../../tests/fixtures/telco-churn.csv", import.meta.url);
const TOLERANCE = 1e-5;

let data: LabeledDataset;
let model: AdditiveModel;
let session: ort.InferenceSession;

beforeAll(async () => {
  data = readLabeledCsv(readFileSync(FIXTURE), { label: "Churn" });
  model = trainChurnModel(data).model;
  session = await ort.InferenceSession.create(exportOnnx(model, { name: "churn", version: "test" }));
});

/** Runs rows of raw cells (in model column order) through onnxruntime. */
async function runRows(rows: RawCell[][]) {
  const feeds: Record<string, ort.Tensor> = {};
  model.terms.forEach((term, j) => {
    const cells = rows.map((r) => r[j]!);
    feeds[term.name] =
      term.type === "string"
        ? new ort.Tensor("string", cells.map(String), [rows.length, 1])
        : new ort.Tensor("float32", Float32Array.from(cells, Number), [rows.length, 1]);
  });
  const out = await session.run(feeds);
  return { probabilities: out.probabilities!, contributions: out.contributions! };
}

describe("ONNX export", () => {
  it("has one named input per raw column, no customer id, and the two documented outputs", () => {
    expect(session.inputNames).toEqual(data.columns.map((c) => c.name));
    expect(session.inputNames).not.toContain("customerID");
    expect(session.outputNames).toEqual(["probabilities", "contributions"]);
  });

  it("matches the trainer's own math within 1e-5 on every training row", async () => {
    const rows = Array.from({ length: data.rows }, (_, i) => rowCells(data.values, i));
    const { probabilities, contributions } = await runRows(rows);
    const features = model.terms.length;
    expect(probabilities.dims).toEqual([data.rows, 2]);
    expect(contributions.dims).toEqual([data.rows, features]);
    const p = probabilities.data as Float32Array;
    const c = contributions.data as Float32Array;
    let worst = 0;
    rows.forEach((cells, i) => {
      const reference = scoreRow(model, cells);
      worst = Math.max(worst, Math.abs(p[2 * i + 1]! - reference.probability), Math.abs(p[2 * i]! - (1 - reference.probability)));
      reference.contributions.forEach((value, j) => (worst = Math.max(worst, Math.abs(c[i * features + j]! - value))));
    });
    expect(worst).toBeLessThan(TOLERANCE);
  });

  it("imputes a blank TotalCharges with the training mean, in the graph as in the trainer", async () => {
    const blankRows = Array.from({ length: data.rows }, (_, i) => i).filter((i) => Number.isNaN(rowCells(data.values, i)[totalChargesIndex()]));
    expect(blankRows.length).toBeGreaterThan(0);
    const cells = rowCells(data.values, blankRows[0]!);
    const imputed = cells.slice();
    const term = model.terms[totalChargesIndex()]!;
    if (term.type !== "float") throw new Error("TotalCharges should be numeric");
    imputed[totalChargesIndex()] = term.impute;
    const { contributions } = await runRows([cells, imputed]);
    const c = contributions.data as Float32Array;
    const j = totalChargesIndex();
    const width = model.terms.length;
    expect(c[j]).toBeCloseTo(c[width + j]!, 5);
    expect(c[j]).toBeCloseTo(scoreRow(model, cells).contributions[j]!, 5);
  });

  it("reads an unseen category as average: contribution 0, and still a valid probability", async () => {
    const cells = rowCells(data.values, 0);
    const contract = model.terms.findIndex((t) => t.name === "Contract");
    cells[contract] = "Three year";
    const { probabilities, contributions } = await runRows([cells]);
    const p = probabilities.data as Float32Array;
    expect((contributions.data as Float32Array)[contract]).toBe(0);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
    expect(p[1]).toBeCloseTo(scoreRow(model, cells).probability, 5);
  });

  it("gives log-odds equal to the intercept plus the sum of contributions", async () => {
    const { probabilities, contributions } = await runRows([rowCells(data.values, 1)]);
    const p = (probabilities.data as Float32Array)[1]!;
    const sum = Array.from(contributions.data as Float32Array).reduce((a, b) => a + b, model.intercept);
    expect(Math.log(p / (1 - p))).toBeCloseTo(sum, 4);
  });
});

function totalChargesIndex(): number {
  return data.columns.findIndex((c) => c.name === "TotalCharges");
}
