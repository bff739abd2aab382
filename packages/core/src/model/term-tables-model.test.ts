import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreText } from "../../../../tests/support/score-text.ts";
import { TEST_CARD_PARTS } from "../../../../tests/support/term-fixtures.ts";
import { readTelco, TELCO_ROWS, toCsv, type Table } from "../../../../tests/support/telco.ts";
import { parseNumber, POINT_DECIMAL } from "../csv/numbers.ts";
import { buildTermCard } from "../training/card.ts";
import { exportTermModel } from "../training/term-export.ts";
import { loadModel, type ChurnModel } from "./churn-model.ts";
import { binCount, withFloat32Tables, type ModelInputSpec, type TermModel } from "./term-model.ts";
import { scoreTermModel, sigmoid } from "./term-scoring.ts";
import { categoryCoder } from "./term-tables-model.ts";

/** A hand-built model over Telco columns: three main terms and a pair, tables from a simple formula. */
function telcoTermModel(): TermModel {
  const inputs: ModelInputSpec[] = [
    { role: "numeric", name: "tenure", label: "Tenure (months)", cuts: [2.5, 12.5, 48.5] },
    {
      role: "categorical",
      name: "Contract",
      label: "Contract",
      categories: ["Month-to-month", "One year", "Two year"],
    },
    { role: "numeric", name: "TotalCharges", label: "Total charges", cuts: [100.5, 1000.5] },
    { role: "boolean", name: "PaperlessBilling", label: "Paperless billing", categories: ["No", "Yes"] },
  ];
  const table = (input: number, scale: number) =>
    Array.from({ length: binCount(inputs[input]!) }, (_, b) => scale * (b - 1.5));
  return withFloat32Tables({
    intercept: -1.1,
    inputs,
    terms: [
      { kind: "main", inputs: [0], table: table(0, -0.3) },
      { kind: "main", inputs: [1], table: [0, 0.8, -0.6, -1.4, 0.1] },
      { kind: "main", inputs: [2], table: table(2, 0.05) },
      {
        kind: "pair",
        inputs: [0, 3],
        table: Array.from({ length: binCount(inputs[0]!) * binCount(inputs[3]!) }, (_, k) => ((k % 4) - 1.5) * 0.61),
      },
    ],
  });
}

const cardParts = TEST_CARD_PARTS;

let dir: string;
let telco: Table;
let model: ChurnModel;
const termModel = telcoTermModel();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rw-term-model-"));
  telco = readTelco();
  const card = buildTermCard(
    { ...cardParts, model: termModel },
    { name: "hand", version: "t1", created: "2026-01-01T00:00:00.000Z" },
  );
  writeFileSync(join(dir, "hand.onnx"), exportTermModel(termModel, { name: "hand", version: "t1" }));
  writeFileSync(join(dir, "hand.card.json"), JSON.stringify(card));
  model = await loadModel(join(dir, "hand.onnx"));
});
afterAll(async () => {
  await model.release();
  rmSync(dir, { recursive: true, force: true });
});

/** The reference probability of a Telco row, from the card's tables in TypeScript. */
function expected(row: string[]): { probability: number; contributions: number[] } {
  const cell = (name: string) => row[telco.headers.indexOf(name)]!.trim();
  const codes = termModel.inputs.map((input) =>
    input.role === "numeric"
      ? Math.fround(parseNumber(cell(input.name), POINT_DECIMAL)!)
      : categoryCoder(input.categories)(cell(input.name)),
  );
  const { contributions, logOdds } = scoreTermModel(termModel, codes, 1);
  return { probability: sigmoid(logOdds[0]!), contributions: Array.from(contributions) };
}

describe("a term-tables/1 model", () => {
  it("reads its inputs and one factor per term from the card", () => {
    expect(model.inputs.map((i) => [i.name, i.kind])).toEqual([
      ["tenure", "number"],
      ["Contract", "string"],
      ["TotalCharges", "number"],
      ["PaperlessBilling", "string"],
    ]);
    expect(model.factors).toEqual([{ inputs: [0] }, { inputs: [1] }, { inputs: [2] }, { inputs: [0, 3] }]);
    expect(model.version).toBe("t1");
  });

  it("scores every Telco row with the probability the card's tables give, blanks included", async () => {
    const { summary, output } = await scoreText(model, toCsv(telco.headers, telco.rows));
    expect(summary.rowsScored).toBe(TELCO_ROWS);
    const rows = parse(output, { columns: true }) as Record<string, string>[];
    rows.forEach((row, r) => {
      expect(row.churn_probability).toBe(expected(telco.rows[r]!).probability.toFixed(4));
    });
  });

  it("writes one reason per cell, a pair term shared between its two cells' reasons, yes/no columns as words", async () => {
    const { output } = await scoreText(model, toCsv(telco.headers, telco.rows.slice(0, 200)));
    const rows = parse(output, { columns: true }) as Record<string, string>[];
    const reasons = rows.flatMap((r) => [r.risk_factors!, r.protective_factors!].join("; ").split("; "));
    expect(reasons.some((r) => /^Contract is (Month-to-month|One year|Two year) \([+-]\d\.\d\d\)$/.test(r))).toBe(true);
    expect(reasons.some((r) => /^Paperless billing: (yes|no) \([+-]\d\.\d\d\)$/.test(r))).toBe(true);
    expect(reasons.some((r) => r.includes(" and "))).toBe(false);
    for (const row of rows) {
      const subjects = [row.risk_factors!, row.protective_factors!]
        .join("; ")
        .split("; ")
        .filter((r) => r !== "")
        .map((r) => r.replace(/( is |: | not given).*$/, ""));
      expect(new Set(subjects).size).toBe(subjects.length);
    }
  });

  it("gives each row the same probability text whatever the batch size", async () => {
    const text = toCsv(telco.headers, telco.rows);
    const one = await scoreText(model, text, { batchSize: 1 });
    const odd = await scoreText(model, text, { batchSize: 333 });
    expect(one.output).toBe(odd.output);
  });

  it("matches categories exactly, then ignoring case; an unseen value is other and a blank is missing", async () => {
    const contract = telco.headers.indexOf("Contract");
    const variant = (value: string) => telco.rows.slice(0, 5).map((r) => r.map((c, j) => (j === contract ? value : c)));
    const score = async (value: string) =>
      (
        parse((await scoreText(model, toCsv(telco.headers, variant(value)))).output, { columns: true }) as Record<
          string,
          string
        >[]
      ).map((r) => r.churn_probability);
    expect(await score("month-to-month")).toEqual(await score("Month-to-month"));
    expect(await score(" TWO YEAR ")).toEqual(await score("Two year"));
    const other = await score("Biennial");
    expect(other).not.toEqual(await score("Two year"));
    expect(other).toEqual(variant("Biennial").map((r) => expected(r).probability.toFixed(4)));
    expect(await score("")).toEqual(variant("").map((r) => expected(r).probability.toFixed(4)));
  });

  it("refuses an ONNX file that does not match its card", async () => {
    const other = withFloat32Tables({ ...termModel, terms: termModel.terms.slice(0, 2) });
    writeFileSync(join(dir, "mismatch.onnx"), exportTermModel(other, { name: "hand", version: "t1" }));
    writeFileSync(join(dir, "mismatch.card.json"), JSON.stringify(model.card));
    await expect(loadModel(join(dir, "mismatch.onnx"))).rejects.toMatchObject({ code: "model.card_mismatch" });
  });
});

describe("a term-tables/1 model with a derived input", () => {
  const inputs: ModelInputSpec[] = [
    { role: "numeric", name: "tenure", label: "Tenure (months)", cuts: [12.5] },
    { role: "numeric", name: "MonthlyCharges", label: "Monthly charges", cuts: [] },
    { role: "numeric", name: "TotalCharges", label: "Total charges", cuts: [] },
  ];
  const derivedModel = withFloat32Tables({
    intercept: -1,
    inputs,
    derived: [
      {
        role: "numeric",
        name: "MonthlyCharges+TotalCharges",
        label: "Total charges (Monthly + Total)",
        sumOf: [1, 2],
        cuts: [100.5, 1000.5],
      },
    ],
    terms: [
      { kind: "main", inputs: [0], table: [0, 0.01, -0.01] },
      { kind: "main", inputs: [3], table: [0, 1.5, -0.5, -1.25] },
      { kind: "pair", inputs: [0, 3], table: Array.from({ length: 3 * 4 }, (_, k) => ((k % 4) - 2) * 0.3) },
    ],
  });
  let derivedChurn: ChurnModel;
  beforeAll(async () => {
    writeFileSync(join(dir, "sum.onnx"), exportTermModel(derivedModel, { name: "sum", version: "t1" }));
    writeFileSync(
      join(dir, "sum.card.json"),
      JSON.stringify(
        buildTermCard(
          { ...cardParts, model: derivedModel },
          { name: "sum", version: "t1", created: "2026-01-01T00:00:00.000Z" },
        ),
      ),
    );
    derivedChurn = await loadModel(join(dir, "sum.onnx"));
  });
  afterAll(() => derivedChurn.release());

  it("reads only the card's columns, and names the sum as one subject of its reasons", () => {
    expect(derivedChurn.inputs.map((i) => i.name)).toEqual(["tenure", "MonthlyCharges", "TotalCharges"]);
    expect(derivedChurn.factors[1]).toEqual({
      inputs: [1, 2],
      subjects: [{ label: "Total charges (Monthly + Total)", sumOf: [1, 2] }],
    });
  });

  it("scores every Telco row with the card's probability and writes the sum's value in its reasons", async () => {
    const rows = telco.rows.slice(0, 300);
    const { output } = await scoreText(derivedChurn, toCsv(telco.headers, rows));
    const scored = parse(output, { columns: true }) as Record<string, string>[];
    const cell = (row: string[], name: string) => row[telco.headers.indexOf(name)]!.trim();
    scored.forEach((out, r) => {
      const codes = inputs.map((input) => Math.fround(parseNumber(cell(rows[r]!, input.name), POINT_DECIMAL)!));
      expect(out.churn_probability).toBe(sigmoid(scoreTermModel(derivedModel, codes, 1).logOdds[0]!).toFixed(4));
    });
    // First Telco row: monthly 29.85, total 29.85.
    // First Telco row: main 1.5 plus half the pair's -0.3 (tenure bin 1, sum bin 1: k = 5).
    expect(scored[0]!.risk_factors).toMatch(/^Total charges \(Monthly \+ Total\) is 59\.7 \(\+1\.35\)/);
    const reasons = scored.flatMap((r) => `${r.risk_factors}; ${r.protective_factors}`.split("; "));
    expect(reasons.some((r) => / and /.test(r))).toBe(false);
    expect(
      reasons.some((r) => /^Total charges \(Monthly \+ Total\) not given \([+-]\d\.\d\d\)$/.test(r)) ||
        rows.every((row) => cell(row, "TotalCharges") !== ""),
    ).toBe(true);
  });
});
