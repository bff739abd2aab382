import * as v from "valibot";
import { ModelCardSchema, type RiskThresholds, type TermTablesCard } from "../model/card.ts";
import type { TermModel } from "../model/term-model.ts";
import { createBinCounter } from "../outcomes/drift.ts";
import { tableCodes } from "./boost/codes.ts";
import type { HeldOutMetrics } from "./metrics.ts";
import type { ColumnDecision } from "./column-roles.ts";
import type { TrainingTable } from "./table.ts";

/** Reason labels for the Telco columns; other columns get a label derived from their name. */
const KNOWN_LABELS: Record<string, string> = {
  gender: "Gender",
  SeniorCitizen: "Senior citizen",
  Partner: "Partner",
  Dependents: "Dependents",
  tenure: "Tenure (months)",
  PhoneService: "Phone service",
  MultipleLines: "Multiple lines",
  InternetService: "Internet service",
  OnlineSecurity: "Online security",
  OnlineBackup: "Online backup",
  DeviceProtection: "Device protection",
  TechSupport: "Tech support",
  StreamingTV: "Streaming TV",
  StreamingMovies: "Streaming movies",
  Contract: "Contract",
  PaperlessBilling: "Paperless billing",
  PaymentMethod: "Payment method",
  MonthlyCharges: "Monthly charges",
  TotalCharges: "Total charges",
};

/** "MonthlyCharges" -> "Monthly charges", "tenure" -> "Tenure (months)" (known Telco names). */
export function factorLabel(column: string): string {
  const known = KNOWN_LABELS[column];
  if (known) return known;
  const words = column
    .replace(/[_-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .trim()
    .split(/\s+/)
    .map((w, i) => (i > 0 && w !== w.toUpperCase() ? w.toLowerCase() : w));
  const label = words.join(" ");
  return label.charAt(0).toUpperCase() + label.slice(1);
}

export interface TermCardParts {
  /** The shipped model (tables already as shipped: `withFloat32Tables`). */
  model: TermModel;
  columns: ColumnDecision[];
  label: { column: string; positive: string };
  trainingData: { file?: string; sha256: string; rows: number; positiveRate: number };
  thresholds: RiskThresholds;
  heldOut: HeldOutMetrics;
  hyperparameters: Record<string, unknown>;
  /** Per input, the training rows' share in each bin (`trainingBinShares`): what drift is measured against. */
  binShares?: number[][];
}

export interface CardMeta {
  name: string;
  version: string;
  /** ISO timestamp; injectable so a retrain can reproduce the card byte for byte. */
  created?: string;
}

/**
 * The `term-tables/1` card of a trained model (docs/MODEL-FORMAT.md), validated against the card
 * schema before it is returned, so a card we write is a card we can load.
 */
export function buildTermCard(parts: TermCardParts, meta: CardMeta): TermTablesCard {
  const card = {
    name: meta.name,
    version: meta.version,
    created: meta.created ?? new Date().toISOString(),
    description: parts.model.forest
      ? "Churn probability with exact reasons: boosted trees compiled into per-column and per-pair lookup tables, and a forest of trees over any columns whose every step is credited to the column it splits."
      : "Churn probability with exact reasons: boosted trees compiled into per-column and per-pair lookup tables.",
    algorithm: parts.model.forest ? "boosted-tables-and-forest" : "boosted-tables",
    format: "term-tables/1" as const,
    trainingData: parts.trainingData,
    label: parts.label,
    columns: parts.columns,
    thresholds: parts.thresholds,
    metrics: { heldOut: parts.heldOut },
    hyperparameters: parts.hyperparameters,
    intercept: parts.model.intercept,
    inputs: parts.binShares
      ? parts.model.inputs.map((input, i) => ({ ...input, binShares: parts.binShares![i] }))
      : parts.model.inputs,
    ...(parts.model.derived ? { derived: parts.model.derived } : {}),
    ...(parts.model.forest ? { forest: parts.model.forest } : {}),
    terms: parts.model.terms,
  };
  const parsed = v.safeParse(ModelCardSchema, card);
  if (!parsed.success)
    throw new Error(
      `The trained model's card does not match the card schema (${v.getDotPath(parsed.issues[0]) ?? "card"}: ${parsed.issues[0].message})`,
    );
  return parsed.output as TermTablesCard;
}

/** Rows coded at a time: bounded memory on a 500k-row table, few calls on a small one. */
const SHARE_CHUNK_ROWS = 8192;

/**
 * Every training row's share in each bin of each model input, counted from the codes the model
 * reads (so a rare level folded into "other" counts there), in chunks: the scorer counts a file the
 * same way and compares (outcomes/drift.ts).
 */
export function trainingBinShares(model: TermModel, table: TrainingTable): number[][] {
  const counter = createBinCounter(model.inputs);
  for (let start = 0; start < table.rows; start += SHARE_CHUNK_ROWS) {
    const rows = Array.from({ length: Math.min(SHARE_CHUNK_ROWS, table.rows - start) }, (_, k) => start + k);
    counter.add(tableCodes(model, table, rows), rows.length);
  }
  return counter.shares();
}
