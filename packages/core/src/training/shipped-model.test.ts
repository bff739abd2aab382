import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_PATH, readTelco, TELCO_PATH, TELCO_ROWS } from "../../../../tests/support/telco.ts";
import { cardPathFor, isTermTablesCard, type TermTablesCard } from "../model/card.ts";
import { scoreTermModel } from "../model/term-scoring.ts";
import { readModelCard } from "../model/card.ts";
import { tableCodes } from "./boost/index.ts";
import { cardJson, trainFromCsvFile } from "./pipeline.ts";
import { readTrainingTable, type TrainingInput } from "./read-table.ts";

/** The built-in model, checked on the shipped files themselves. */
let card: TermTablesCard;
let input: TrainingInput;

beforeAll(async () => {
  const read = await readModelCard(cardPathFor(DEFAULT_MODEL_PATH));
  if (!isTermTablesCard(read)) throw new Error("the shipped card is not term-tables/1");
  card = read;
  input = await readTrainingTable(createReadStream(TELCO_PATH), { label: card.label.column });
});

describe("the shipped churn-v1 model", () => {
  it("has a card that records the fixture's SHA-256, rows, label, roles and held-out metrics", () => {
    expect(card.trainingData.sha256).toBe(createHash("sha256").update(readFileSync(TELCO_PATH)).digest("hex"));
    expect(card.trainingData.rows).toBe(TELCO_ROWS);
    expect(card.label).toEqual({ column: "Churn", positive: "Yes" });
    expect(card.columns.map((c) => c.name)).toEqual(readTelco().headers);
    expect(card.columns.find((c) => c.name === "customerID")!.role).toBe("identifier");
    expect(card.thresholds.medium).toBeLessThan(card.thresholds.high);
    expect(card.metrics!.heldOut.rows).toBeGreaterThan(1000);
    expect(card.metrics!.heldOut.calibration.length).toBeGreaterThan(3);
  });

  it("describes every input with a readable label", () => {
    expect(card.inputs.map((i) => i.name)).toEqual(input.table.inputs.map((i) => i.name));
    expect(card.inputs.find((i) => i.name === "tenure")).toMatchObject({ role: "numeric", label: "Tenure (months)" });
    expect(card.inputs.find((i) => i.name === "Contract")).toMatchObject({
      role: "categorical",
      categories: ["Month-to-month", "One year", "Two year"],
    });
    for (const i of card.inputs) expect(i.label).toMatch(/^[A-Z]/);
  });

  it("gives contributions that sum with the intercept to the card's log-odds for every fixture row, in onnxruntime and in TypeScript", async () => {
    const rows = Array.from({ length: TELCO_ROWS }, (_, r) => r);
    const codes = tableCodes(card, input.table, rows);
    const expected = scoreTermModel(card, codes, TELCO_ROWS);
    const session = await ort.InferenceSession.create(DEFAULT_MODEL_PATH);
    try {
      const out = await session.run({
        features: new ort.Tensor("float32", Float32Array.from(codes), [TELCO_ROWS, card.inputs.length]),
      });
      const contributions = out.contributions!.data as Float32Array;
      const terms = card.terms.length;
      for (let r = 0; r < TELCO_ROWS; r++) {
        let logit = card.intercept;
        for (let t = 0; t < terms; t++) logit += contributions[r * terms + t]!;
        expect(Math.abs(logit - expected.logOdds[r]!)).toBeLessThan(1e-6);
      }
    } finally {
      await session.release();
    }
  });

  it("is reproduced byte for byte by retraining from the fixture with the card's seed and time", async () => {
    const retrained = await trainFromCsvFile(TELCO_PATH, {
      label: "Churn",
      version: card.version,
      name: card.name,
      seed: Number(card.hyperparameters!.seed),
      created: card.created,
    });
    expect(Buffer.from(retrained.onnx).equals(readFileSync(DEFAULT_MODEL_PATH))).toBe(true);
    expect(cardJson(retrained.card)).toBe(readFileSync(cardPathFor(DEFAULT_MODEL_PATH), "utf8"));
  }, 300_000);
});
