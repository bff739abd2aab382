import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreText } from "../../../../tests/support/score-text.ts";
import { TEST_CARD_PARTS, withRandomForest } from "../../../../tests/support/term-fixtures.ts";
import { mulberry32 } from "../training/split.ts";
import { readTelco, toCsv, type Table } from "../../../../tests/support/telco.ts";
import { parseNumber, POINT_DECIMAL } from "../csv/numbers.ts";
import { loadModel, type ChurnModel } from "../model/churn-model.ts";
import { binCount, withFloat32Tables, type ModelInputSpec, type TermModel } from "../model/term-model.ts";
import { scoreTermModel, sigmoid } from "../model/term-scoring.ts";
import { categoryCoder } from "../model/term-tables-model.ts";
import { buildTermCard } from "../training/card.ts";
import { exportTermModel } from "../training/term-export.ts";
import { tidyNumber } from "./cell-words.ts";
import { planColumns } from "./batch.ts";
import { factorCells } from "./reason-subjects.ts";
import { ReasonWriter } from "./reasons.ts";
import { actionableInputs } from "./retention.ts";

/**
 * Contract (categorical, in a pair with tenure), Paperless billing (yes/no, in a pair with a sum),
 * Monthly charges (numeric, inside a derived sum), and a random forest over all five columns.
 */
function retentionModel(): TermModel {
  const inputs: ModelInputSpec[] = [
    { role: "numeric", name: "tenure", label: "Tenure (months)", cuts: [2.5, 12.5, 48.5] },
    {
      role: "categorical",
      name: "Contract",
      label: "Contract",
      categories: ["Month-to-month", "One year", "Two year"],
    },
    { role: "numeric", name: "MonthlyCharges", label: "Monthly charges", cuts: [30.5, 70.25, 95] },
    { role: "numeric", name: "TotalCharges", label: "Total charges", cuts: [100.5, 1000.5] },
    { role: "boolean", name: "PaperlessBilling", label: "Paperless billing", categories: ["No", "Yes"] },
  ];
  const derived = [
    {
      role: "numeric" as const,
      name: "MonthlyCharges+TotalCharges",
      label: "Charges (monthly + total)",
      sumOf: [2, 3],
      cuts: [150, 1100.5, 3000],
    },
  ];
  const all = [...inputs, ...derived];
  const wave = (size: number, scale: number, phase: number) =>
    Array.from({ length: size }, (_, k) => scale * Math.sin(k * 1.7 + phase));
  const model = withFloat32Tables({
    intercept: -0.9,
    inputs,
    derived,
    terms: [
      ...inputs.map((input, i) => ({
        kind: "main" as const,
        inputs: [i] as [number],
        table: wave(binCount(input), 0.6, i),
      })),
      { kind: "main", inputs: [5], table: wave(binCount(all[5]!), 0.5, 9) },
      { kind: "pair", inputs: [1, 0], table: wave(binCount(all[1]!) * binCount(all[0]!), 0.4, 3) },
      { kind: "pair", inputs: [5, 4], table: wave(binCount(all[5]!) * binCount(all[4]!), 0.7, 5) },
    ],
  });
  return withRandomForest(model, mulberry32(11), 12);
}

const termModel = retentionModel();
const cardParts = TEST_CARD_PARTS;

let dir: string;
let telco: Table;
let model: ChurnModel;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rw-retention-"));
  telco = readTelco();
  writeFileSync(join(dir, "act.onnx"), exportTermModel(termModel, { name: "act", version: "t1" }));
  writeFileSync(
    join(dir, "act.card.json"),
    JSON.stringify(
      buildTermCard(
        { ...cardParts, model: termModel },
        { name: "act", version: "t1", created: "2026-01-01T00:00:00.000Z" },
      ),
    ),
  );
  model = await loadModel(join(dir, "act.onnx"));
});
afterAll(async () => {
  await model.release();
  rmSync(dir, { recursive: true, force: true });
});

/** Every change a brute force tries: each category; for a number a value inside each interval (its neighbours' half gap past the end cuts). */
function alternatives(input: ModelInputSpec): { code: number; text: string }[] {
  if (input.role !== "numeric")
    return input.categories.map((c, k) => ({ code: k, text: input.role === "boolean" ? c.toLowerCase() : c }));
  const c = input.cuts;
  const n = c.length;
  const values = [
    c[0]! - (c[1]! - c[0]!) / 2,
    ...c.slice(1).map((cut, k) => (c[k]! + cut) / 2),
    c[n - 1]! + (c[n - 1]! - c[n - 2]!) / 2,
  ];
  return values.map((v) => ({ code: Math.fround(v), text: String(Number(Math.fround(v).toPrecision(6))) }));
}

describe("retention_action", () => {
  const actionable = ["Contract", "PaperlessBilling", "MonthlyCharges"];

  it("names, for every row, the one change to an actionable column that lowers the log-odds most, with the probabilities scoreTermModel gives", async () => {
    const rows = telco.rows.slice(0, 400);
    const { output } = await scoreText(model, toCsv(telco.headers, rows), { actionable });
    const scored = parse(output, { columns: true }) as Record<string, string>[];
    const cell = (row: string[], name: string) => row[telco.headers.indexOf(name)]!.trim();
    let actions = 0;
    scored.forEach((out, r) => {
      const codes = termModel.inputs.map((input) =>
        input.role === "numeric"
          ? Math.fround(parseNumber(cell(rows[r]!, input.name), POINT_DECIMAL)!)
          : categoryCoder(input.categories)(cell(rows[r]!, input.name)),
      );
      const base = scoreTermModel(termModel, codes, 1).logOdds[0]!;
      let best: { logOdds: number; text: string } | undefined;
      for (const name of actionable) {
        const i = termModel.inputs.findIndex((input) => input.name === name);
        const input = termModel.inputs[i]!;
        const binOfCode = (code: number) =>
          input.role === "numeric" ? 1 + input.cuts.filter((cut) => cut < code).length : 1 + code;
        for (const option of alternatives(input)) {
          if (!Number.isNaN(codes[i]!) && binOfCode(option.code) === binOfCode(codes[i]!)) continue;
          const changed = codes.map((code, j) => (j === i ? option.code : code));
          const logOdds = scoreTermModel(termModel, changed, 1).logOdds[0]!;
          const { label } = input;
          const current = cell(rows[r]!, name);
          const shown =
            current === ""
              ? "not given"
              : input.role === "boolean"
                ? current.toLowerCase()
                : input.role === "numeric"
                  ? tidyNumber(current)
                  : current;
          if (logOdds < base && (!best || logOdds < best.logOdds - 1e-12))
            best = {
              logOdds,
              text: `${label} ${option.text} instead of ${shown}: ${probabilities(sigmoid(base), sigmoid(logOdds))}`,
            };
        }
      }
      expect(out.retention_action).toBe(best?.text ?? "");
      if (best) actions++;
    });
    expect(actions).toBeGreaterThan(100);
  });

  it("is blank without actionable columns, and the column sits after protective_factors", async () => {
    const { output } = await scoreText(model, toCsv(telco.headers, telco.rows.slice(0, 20)));
    const [header, ...rows] = parse(output) as string[][];
    expect(header!.slice(4, 6)).toEqual(["protective_factors", "retention_action"]);
    expect(rows.every((row) => row[5] === "")).toBe(true);
  });

  it("names a number's change by its interval when no derived sum reads it", async () => {
    const { output } = await scoreText(model, toCsv(telco.headers, telco.rows.slice(0, 300)), {
      actionable: ["tenure"],
    });
    const scored = parse(output, { columns: true }) as Record<string, string>[];
    const actions = scored.map((r) => r.retention_action!).filter((a) => a !== "");
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions)
      expect(action).toMatch(
        /^Tenure \(months\) (at most 2\.5|between [\d.]+ and [\d.]+|above 48\.5) instead of \d+: 0\.\d\d+ -> 0\.\d\d+$/,
      );
  });

  it("refuses a column the model does not read, naming its inputs", () => {
    expect(() => actionableInputs(model.card, ["Contract", "Discount"])).toThrow(
      /"Discount" is not an input of the model.*tenure, Contract, MonthlyCharges, TotalCharges, PaperlessBilling/,
    );
    expect(actionableInputs(model.card, ["contract", "Contract"])).toEqual([1]);
  });
});

describe("reasons of a model with pairs and a derived sum", () => {
  it("sum with the intercept to the row's log-odds, listed or not, and never name one cell twice", () => {
    const layout = planColumns(telco.headers, model, POINT_DECIMAL);
    const writer = new ReasonWriter(model.factors.map((factor) => factorCells(factor, model, layout)));
    const cell = (row: string[], name: string) => row[telco.headers.indexOf(name)]!.trim();
    for (const row of telco.rows.slice(0, 500)) {
      const codes = termModel.inputs.map((input) =>
        input.role === "numeric"
          ? Math.fround(parseNumber(cell(row, input.name), POINT_DECIMAL)!)
          : categoryCoder(input.categories)(cell(row, input.name)),
      );
      const { contributions, logOdds } = scoreTermModel(termModel, codes, 1);
      writer.explain(contributions, 0, row);
      const total = writer.reasonContributions().reduce((a, b) => a + b, termModel.intercept);
      expect(Math.abs(total - logOdds[0]!)).toBeLessThan(1e-6);
      const { risk, protective } = writer.lists();
      const named = [...risk, ...protective].flatMap((r) =>
        r
          .replace(/ \([+-]\d+\.\d\d\)$/, "")
          .split(" and ")
          .map((s) => s.replace(/( is |: | not given).*$/, "")),
      );
      expect(new Set(named).size).toBe(named.length);
    }
  });
});

function probabilities(before: number, after: number): string {
  const [a, b] = [before.toFixed(2), after.toFixed(2)];
  return a === b ? `${before.toFixed(4)} -> ${after.toFixed(4)}` : `${a} -> ${b}`;
}
