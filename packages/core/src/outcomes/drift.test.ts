import * as v from "valibot";
import { beforeAll, describe, expect, it } from "vitest";
import { readTelco, type Table } from "../../../../tests/support/telco.ts";
import { isTermTablesCard, ModelCardSchema, type TermTablesCard } from "../model/card.ts";
import { binCount, type ModelInputSpec } from "../model/term-model.ts";
import { categoryCoder } from "../model/term-tables-model.ts";
import { createBinCounter, driftReport } from "./drift.ts";

let telco: Table;
let card: TermTablesCard;
const TRAINING_ROWS = 3000;

const INPUTS: ModelInputSpec[] = [
  { role: "numeric", name: "tenure", label: "Tenure (months)", cuts: [6, 12, 24, 48] },
  { role: "numeric", name: "MonthlyCharges", label: "Monthly charges", cuts: [35, 70, 90] },
  { role: "categorical", name: "Contract", label: "Contract", categories: ["Month-to-month", "One year", "Two year"] },
];

const column = (name: string) => telco.headers.indexOf(name);

/** The feature codes the scorer gives onnxruntime for these rows: numbers as read, categories through the model's coder. */
function codesOf(rows: string[][]): Float32Array {
  const coders = INPUTS.map((input) =>
    input.role === "numeric"
      ? (cell: string) => (cell.trim() === "" ? NaN : Number(cell))
      : categoryCoder(input.categories),
  );
  const codes = new Float32Array(rows.length * INPUTS.length);
  rows.forEach((row, r) => {
    INPUTS.forEach((input, i) => {
      codes[r * INPUTS.length + i] = coders[i]!(row[column(input.name)]!);
    });
  });
  return codes;
}

function counted(rows: string[][]) {
  const counter = createBinCounter(INPUTS);
  counter.add(codesOf(rows), rows.length);
  return counter;
}

/** A term-tables card over three Telco columns whose binShares come from the first TRAINING_ROWS rows, checked by the card schema. */
function trainedCard(): TermTablesCard {
  const shares = counted(telco.rows.slice(0, TRAINING_ROWS)).shares();
  const inputs = INPUTS.map((input, i) => ({ ...input, binShares: shares[i] }));
  const parsed = v.parse(ModelCardSchema, {
    name: "drift-test",
    version: "v1",
    created: "2026-12-01T00:00:00Z",
    trainingData: { sha256: "0".repeat(64), rows: TRAINING_ROWS },
    label: { column: "Churn", positive: "Yes" },
    thresholds: { high: 0.5, medium: 0.25 },
    format: "term-tables/1",
    intercept: -1,
    inputs,
    terms: inputs.map((input, i) => ({ kind: "main", inputs: [i], table: new Array(binCount(input)).fill(0) })),
    columns: [],
  });
  if (!isTermTablesCard(parsed)) throw new Error("expected a term-tables card");
  return parsed;
}

const drift = (rows: string[][]) => driftReport(card, counted(rows).state())!;

beforeAll(() => {
  telco = readTelco();
  card = trainedCard();
});

describe("drift against the training bins", () => {
  it("finds a PSI of about 0 for the training sample itself, and flags nothing", () => {
    const report = drift(telco.rows.slice(0, TRAINING_ROWS));
    expect(report.rows).toBe(TRAINING_ROWS);
    expect(report.columns.map((c) => c.name)).toEqual(["tenure", "MonthlyCharges", "Contract"]);
    for (const c of report.columns) expect(c.psi).toBeLessThan(1e-9);
    expect(report.flagged).toBe(0);
  });

  it("stays well under 0.2 for other customers of the same company", () => {
    const report = drift(telco.rows.slice(TRAINING_ROWS));
    for (const c of report.columns) expect(c.psi).toBeLessThan(0.05);
  });

  it("flags tenure and contract for a sample shifted to new month-to-month customers", () => {
    const shifted = telco.rows.filter(
      (r) => r[column("Contract")] === "Month-to-month" && Number(r[column("tenure")]) < 12,
    );
    const report = drift(shifted);
    const byName = new Map(report.columns.map((c) => [c.name, c]));
    expect(byName.get("tenure")!.psi).toBeGreaterThan(0.2);
    expect(byName.get("Contract")!.psi).toBeGreaterThan(0.2);
    expect(byName.get("tenure")!.flagged).toBe(true);
    expect(report.flagged).toBeGreaterThanOrEqual(2);
  });

  it("counts categories the model never saw, matching known ones case-insensitively", () => {
    const rows = telco.rows
      .slice(0, 1000)
      .map((r, i) =>
        r.map((cell, j) =>
          j !== column("Contract") ? cell : i % 10 === 0 ? "Three year" : i % 10 === 1 ? cell.toUpperCase() : cell,
        ),
      );
    const contract = drift(rows).columns.find((c) => c.name === "Contract")!;
    expect(contract.unseenShare).toBeCloseTo(0.1, 12);
    expect(contract.bins.at(-1)).toMatchObject({ bin: "(other)", actual: 0.1 });
    expect(drift(rows).columns.find((c) => c.name === "tenure")!.unseenShare).toBeNull();
  });

  it("adds up counts from two halves of a file to the counts of the whole", () => {
    const rows = telco.rows.slice(0, 2000);
    const first = counted(rows.slice(0, 700));
    first.merge(structuredClone(counted(rows.slice(700)).state()));
    expect(driftReport(card, first.state())).toEqual(drift(rows));
  });

  it("answers null for a card without training shares, or when no row was counted", () => {
    const bare = { ...card, inputs: card.inputs.map(({ binShares: _, ...input }) => input) } as TermTablesCard;
    expect(driftReport(bare, counted(telco.rows.slice(0, 100)).state())).toBeNull();
    expect(driftReport(card, createBinCounter(INPUTS).state())).toBeNull();
  });
});
