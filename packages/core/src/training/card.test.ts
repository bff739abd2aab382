import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { cardPathFor, isTermTablesCard, ModelCardSchema, readModelCard } from "../model/card.ts";
import type { TermModel } from "../model/term-model.ts";
import { buildTermCard, factorLabel, trainingBinShares, type TermCardParts } from "./card.ts";
import type { TrainingTable } from "./table.ts";

const SHIPPED_MODEL = new URL("../../../../models/churn-v1.onnx", import.meta.url).pathname;

describe("readModelCard", () => {
  it("rejects a card that does not match the schema, naming the field", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-card-"));
    const path = join(dir, "bad.card.json");
    const card = JSON.parse(await readFile(cardPathFor(SHIPPED_MODEL), "utf8"));
    card.thresholds = { high: 0.2, medium: 0.6 };
    await writeFile(path, JSON.stringify(card));
    await expect(readModelCard(path)).rejects.toMatchObject({ code: "model.invalid_card" });
  });
});

describe("factorLabel", () => {
  it("turns column names into reason labels", () => {
    expect(factorLabel("MonthlyCharges")).toBe("Monthly charges");
    expect(factorLabel("tenure")).toBe("Tenure (months)");
    expect(factorLabel("num_support_tickets")).toBe("Num support tickets");
    expect(factorLabel("lastNPSScore")).toBe("Last NPS score");
  });
});

const model: TermModel = {
  intercept: -1,
  inputs: [
    { role: "numeric", name: "tenure", label: "Tenure (months)", cuts: [1.5, 12.5] },
    { role: "categorical", name: "Contract", label: "Contract", categories: ["Month-to-month", "One year"] },
  ],
  terms: [
    { kind: "main", inputs: [0], table: [0, 0.5, 0, -0.5] },
    { kind: "pair", inputs: [0, 1], table: Array.from({ length: 16 }, (_, k) => k / 100) },
  ],
};
/** A one-split forest tree on tenure, and the path term crediting it. */
const stump = {
  input: [0, -1, -1],
  at: [1, 0, 0],
  blankLeft: [1, 0, 0],
  left: [1, 0, 0],
  right: [2, 0, 0],
  value: [0, 0.2, -0.1],
};
const path = { kind: "path" as const, inputs: [0] as [number], shift: 0.05 };
const parts: TermCardParts = {
  model,
  columns: [{ name: "customerID", role: "identifier", reason: "a different value in every row" }],
  label: { column: "Churn", positive: "Yes" },
  trainingData: { file: "history.csv", sha256: "a".repeat(64), rows: 100, positiveRate: 0.25 },
  thresholds: { high: 0.5, medium: 0.25 },
  heldOut: {
    auc: 0.8,
    brier: 0.1,
    accuracy: 0.8,
    logLoss: 0.4,
    rows: 20,
    calibration: [{ binStart: 0, binEnd: 0.1, count: 20, meanPredicted: 0.05, observedRate: 0.05 }],
  },
  hyperparameters: { seed: 42 },
};

describe("buildTermCard", () => {
  it("builds a term-tables/1 card that the card schema reads back as one", () => {
    const card = buildTermCard(parts, { name: "churn", version: "v2", created: "2026-01-01T00:00:00.000Z" });
    const reread = v.parse(ModelCardSchema, JSON.parse(JSON.stringify(card)));
    expect(isTermTablesCard(reread)).toBe(true);
    expect(reread).toEqual(card);
  });

  it.each([
    [
      "a table of the wrong size",
      { ...model, terms: [{ kind: "main" as const, inputs: [0] as [number], table: [1, 2] }] },
      /one entry per bin/,
    ],
    [
      "a term naming an input the card lacks",
      { ...model, terms: [{ kind: "main" as const, inputs: [5] as [number], table: [1] }] },
      /terms must name inputs/,
    ],
    [
      "cuts out of order",
      { ...model, inputs: [{ ...model.inputs[0]!, cuts: [3, 1] }, model.inputs[1]!] },
      /strictly ascending/,
    ],
    [
      "a NaN in a table",
      { ...model, terms: [{ kind: "main" as const, inputs: [0] as [number], table: [0, Number.NaN, 0, 0] }] },
      /.+/,
    ],
    ["a path term without a forest", { ...model, terms: [...model.terms, path] }, /path terms need the card's forest/],
    [
      "a forest split whose child comes before it",
      { ...model, forest: { orders: {}, trees: [{ ...stump, left: [0, 0, 0] }] }, terms: [...model.terms, path] },
      /children must come after it/,
    ],
    [
      "a forest splitting an input the card lacks",
      { ...model, forest: { orders: {}, trees: [{ ...stump, input: [7, -1, -1] }] }, terms: [...model.terms, path] },
      /split inputs of the card/,
    ],
    [
      "a forest order of the wrong length",
      { ...model, forest: { orders: { "1": [0, 1] }, trees: [stump] }, terms: [...model.terms, path] },
      /order every bin/,
    ],
  ])("refuses %s", (_name, broken, message) => {
    expect(() => buildTermCard({ ...parts, model: broken as TermModel }, { name: "churn", version: "v2" })).toThrow(
      message,
    );
  });

  it("carries a forest and its path terms, which the schema reads back", () => {
    const card = buildTermCard(
      {
        ...parts,
        model: { ...model, forest: { orders: { "1": [0, 2, 1, 3] }, trees: [stump] }, terms: [...model.terms, path] },
      },
      { name: "churn", version: "v2" },
    );
    expect(card.forest!.trees).toEqual([stump]);
    expect(card.algorithm).toBe("boosted-tables-and-forest");
    expect(v.parse(ModelCardSchema, JSON.parse(JSON.stringify(card)))).toEqual(card);
  });

  it("refuses binShares with a share count other than the input's bins", () => {
    expect(() =>
      buildTermCard(
        {
          ...parts,
          binShares: [
            [0, 1],
            [0, 0.5, 0.5, 0],
          ],
        },
        { name: "churn", version: "v2" },
      ),
    ).toThrow(/one share per bin/);
  });
});

describe("trainingBinShares", () => {
  it("writes each input's training share per bin into the card: blanks, intervals, levels and folded levels as 'other'", () => {
    const table: TrainingTable = {
      rows: 8,
      labels: new Uint8Array(8),
      inputs: [
        {
          role: "numeric",
          name: "tenure",
          label: "Tenure (months)",
          values: Float64Array.from([NaN, 1, 1, 2, 5, 13, 20, 40]),
        },
        {
          role: "categorical",
          name: "Contract",
          label: "Contract",
          categories: ["Month-to-month", "One year", "Rare"],
          codes: Int32Array.from([0, 0, 0, 0, 1, 1, 2, -1]),
        },
      ],
    };
    const binShares = trainingBinShares(model, table);
    expect(binShares).toEqual([
      [1 / 8, 2 / 8, 2 / 8, 3 / 8],
      [1 / 8, 4 / 8, 2 / 8, 1 / 8],
    ]);
    const card = buildTermCard({ ...parts, binShares }, { name: "churn", version: "v2" });
    expect(card.inputs.map((i) => i.binShares)).toEqual(binShares);
  });
});
