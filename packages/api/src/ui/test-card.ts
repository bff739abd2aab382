/**
 * Test support (not exported from index.ts): a small `term-tables/1` card with a pair term, a
 * label that needs escaping and a held-out calibration table, for the chart tests.
 */
import type { TermTablesCard } from "@retainwise/core/model/card";

export const common = {
  name: "bank",
  version: "v2",
  created: "2026-12-01T00:00:00.000Z",
  trainingData: { sha256: "a".repeat(64), rows: 1000 },
  label: { column: "churned", positive: "yes" },
  thresholds: { high: 0.5, medium: 0.25 },
};

/** Three inputs (numeric with 2 cuts = 4 bins; categorical with 2 levels = 4 bins; boolean 1 level = 3 bins), two main terms and a pair. */
export const card: TermTablesCard = {
  ...common,
  format: "term-tables/1",
  intercept: -1.2,
  inputs: [
    { role: "numeric", name: "tenure", label: "Tenure (months)", cuts: [6, 24] },
    { role: "categorical", name: "plan", label: "Plan <Pro & Team>", categories: ["Basic", "Pro"] },
    { role: "boolean", name: "autopay", label: "Autopay", categories: ["yes"] },
  ],
  terms: [
    { kind: "main", inputs: [0], table: [0, 0.9, 0.1, -0.6] },
    { kind: "main", inputs: [2], table: [0, 0.1, -0.1] },
    { kind: "pair", inputs: [0, 1], table: [0, 0, 0, 0, 0, 1.2, -0.8, 0, 0, 0.2, 0.1, 0, 0, -0.1, 0.1, 0] },
  ],
  columns: [{ name: "id", role: "identifier", reason: "unique in every row" }],
  metrics: {
    heldOut: {
      auc: 0.81,
      brier: 0.12,
      accuracy: 0.8,
      rows: 200,
      calibration: [
        { binStart: 0, binEnd: 0.1, count: 120, meanPredicted: 0.05, observedRate: 0.04 },
        { binStart: 0.4, binEnd: 0.5, count: 30, meanPredicted: 0.45, observedRate: 0.5 },
        { binStart: 0.9, binEnd: 1, count: 5, meanPredicted: 0.93, observedRate: 0.8 },
      ],
    },
  },
};
