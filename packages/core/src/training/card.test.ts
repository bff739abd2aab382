import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { cardPathFor } from "../model/card.ts";
import { factorLabel, readModelCard } from "./card.ts";
import { trainFromCsvFile } from "./pipeline.ts";

const FIXTURE = new URL("../../../../tests/fixtures/telco-churn.csv", import.meta.url).pathname;
const SHIPPED_MODEL = new URL("../../../../models/churn-v1.onnx", import.meta.url).pathname;

describe("the shipped model card", () => {
  it("validates and records the SHA-256 and row count of the training fixture", async () => {
    const card = await readModelCard(cardPathFor(SHIPPED_MODEL));
    const fixture = await readFile(FIXTURE);
    expect(card.trainingData.sha256).toBe(createHash("sha256").update(fixture).digest("hex"));
    expect(card.trainingData.rows).toBe(5626);
    expect(card.label).toEqual({ column: "Churn", positive: "Yes" });
    expect(card.thresholds.medium).toBeLessThan(card.thresholds.high);
    expect(card.metrics?.heldOut.rows).toBeGreaterThan(1000);
  });

  it("describes exactly the model's inputs, each with a readable label", async () => {
    const card = await readModelCard(cardPathFor(SHIPPED_MODEL));
    const session = await ort.InferenceSession.create(SHIPPED_MODEL);
    expect(card.inputs.map((i) => i.name)).toEqual(session.inputNames);
    expect(card.inputs.find((i) => i.name === "tenure")).toMatchObject({ type: "float", label: "Tenure (months)" });
    const contract = card.inputs.find((i) => i.name === "Contract");
    expect(contract && "categories" in contract ? contract.categories : undefined).toEqual(["Month-to-month", "One year", "Two year"]);
    for (const input of card.inputs) {
      expect(input.label).toBeTruthy();
      if ("type" in input && input.type === "float") expect(Number.isFinite(input.mean)).toBe(true);
    }
  });

  it("is reproduced byte for byte by retraining from the fixture with the card's seed", async () => {
    const card = await readModelCard(cardPathFor(SHIPPED_MODEL));
    const retrained = await trainFromCsvFile(FIXTURE, { label: "Churn", version: card.version, seed: Number(card.hyperparameters?.seed) });
    expect(Buffer.from(retrained.onnx).equals(await readFile(SHIPPED_MODEL))).toBe(true);
    expect(retrained.card.metrics).toEqual(card.metrics);
  });
});

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
