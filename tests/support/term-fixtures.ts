/**
 * A `term-tables/1` model shaped like the Telco fixture (every input, its categories, quantile cuts,
 * main terms and a few pair terms) with seeded random tables, written as NAME.onnx + NAME.card.json
 * by the real exporter. For tests and benches that need a term-tables model of realistic width
 * without training one; its probabilities mean nothing.
 *
 *   const path = writeTelcoTermModel(dir, readTelco());
 *   const model = await loadModel(path);
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { forestInputs, type Forest, type ForestTree } from "../../packages/core/src/model/forest.ts";
import { binCount, type ModelInputSpec, type Term, type TermModel } from "../../packages/core/src/model/term-model.ts";
import { mulberry32 } from "../../packages/core/src/training/split.ts";
import { exportTermModel } from "../../packages/core/src/training/term-export.ts";
import type { Table } from "./telco.ts";

const NUMERIC = new Set(["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]);
const LEFT_OUT = new Set(["customerID", "Churn"]);
/** Pairs of inputs (by name) given a pair term, as an Explainable Boosting Machine would add a few. */
const PAIRS: [string, string][] = [
  ["Contract", "tenure"],
  ["InternetService", "MonthlyCharges"],
  ["PaymentMethod", "PaperlessBilling"],
  ["SeniorCitizen", "Dependents"],
];

/**
 * `model` with a seeded random forest over its card inputs (each categorical's bin order shuffled;
 * every split at a random place, a blank sent a random side) and a path term per input it splits.
 */
export function withRandomForest(model: TermModel, random: () => number, trees = 40): TermModel {
  const { inputs } = model;
  const orders: Record<string, number[]> = {};
  inputs.forEach((input, f) => {
    if (input.role !== "numeric")
      orders[f] = [0, ...Array.from({ length: binCount(input) - 1 }, (_, k) => k + 1).sort(() => random() - 0.5)];
  });
  const grown = Array.from({ length: trees }, (): ForestTree => {
    const tree: ForestTree = {
      input: [-1],
      at: [0],
      blankLeft: [0],
      left: [0],
      right: [0],
      value: [(random() - 0.5) / 5],
    };
    for (let split = 0; split < 7; split++) {
      const leaves = tree.input.flatMap((f, n) => (f < 0 ? [n] : []));
      const n = leaves[Math.floor(random() * leaves.length)]!;
      const f = Math.floor(random() * inputs.length);
      tree.input[n] = f;
      tree.at[n] = 1 + Math.floor(random() * Math.max(1, binCount(inputs[f]!) - 2));
      tree.blankLeft[n] = random() < 0.5 ? 1 : 0;
      [tree.left[n], tree.right[n]] = [tree.input.length, tree.input.length + 1];
      for (let k = 0; k < 2; k++) {
        tree.input.push(-1);
        tree.at.push(0);
        tree.blankLeft.push(0);
        tree.left.push(0);
        tree.right.push(0);
        tree.value.push((random() - 0.5) / 5);
      }
    }
    return tree;
  });
  const forest: Forest = { orders, trees: grown };
  const paths = forestInputs(forest).map((f): Term => ({ kind: "path", inputs: [f], shift: (random() - 0.5) / 4 }));
  return { ...model, forest, terms: [...model.terms, ...paths] };
}

export function telcoTermModel(telco: Table, seed = 7): TermModel {
  const random = mulberry32(seed);
  const inputs: ModelInputSpec[] = telco.headers
    .map((name, column) => ({ name, column }))
    .filter(({ name }) => !LEFT_OUT.has(name))
    .map(({ name, column }) => {
      const cells = telco.rows.map((row) => row[column]!.trim()).filter((cell) => cell !== "");
      if (NUMERIC.has(name)) return { role: "numeric", name, label: name, cuts: quantileCuts(cells.map(Number), 8) };
      return { role: "categorical", name, label: name, categories: [...new Set(cells)].sort() };
    });
  const table = (size: number) => Array.from({ length: size }, () => Math.fround((random() - 0.5) * 2));
  const index = (name: string) => inputs.findIndex((input) => input.name === name);
  const terms: Term[] = [
    ...inputs.map((input, i): Term => ({ kind: "main", inputs: [i], table: table(binCount(input)) })),
    ...PAIRS.map(
      ([a, b]): Term => ({
        kind: "pair",
        inputs: [index(a), index(b)],
        table: table(binCount(inputs[index(a)]!) * binCount(inputs[index(b)]!)),
      }),
    ),
  ];
  return { intercept: -1.1, inputs, terms };
}

/** Writes `model` as NAME.onnx and its card beside it; returns the .onnx path. */
export function writeTermModel(dir: string, model: TermModel, name = "telco-terms"): string {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, exportTermModel(model, { name, version: "t1" }));
  const card = {
    name,
    version: "t1",
    created: "2026-12-01T00:00:00.000Z",
    format: "term-tables/1",
    trainingData: { sha256: "0".repeat(64), rows: 5626 },
    label: { column: "Churn", positive: "Yes" },
    thresholds: { high: 0.5, medium: 0.25 },
    intercept: model.intercept,
    inputs: model.inputs,
    terms: model.terms,
    columns: model.inputs.map((input) => ({ name: input.name, role: input.role, reason: "test fixture" })),
  };
  writeFileSync(join(dir, `${name}.card.json`), JSON.stringify(card));
  return path;
}

export function writeTelcoTermModel(dir: string, telco: Table, seed?: number): string {
  return writeTermModel(dir, telcoTermModel(telco, seed));
}

function quantileCuts(values: number[], count: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const cuts = Array.from(
    { length: count - 1 },
    (_, k) => sorted[Math.floor(((k + 1) * sorted.length) / count)]! - 0.5,
  );
  return [...new Set(cuts)];
}

/** Everything a card needs besides the model, for tests that build term models by hand. */
export const TEST_CARD_PARTS = {
  columns: [{ name: "tenure", role: "numeric" as const, reason: "numbers" }],
  label: { column: "Churn", positive: "Yes" },
  trainingData: { sha256: "0".repeat(64), rows: 1, positiveRate: 0.5 },
  thresholds: { high: 0.5, medium: 0.25 },
  heldOut: { auc: 0.5, brier: 0.25, accuracy: 0.5, rows: 1, calibration: [] },
  hyperparameters: {},
};
