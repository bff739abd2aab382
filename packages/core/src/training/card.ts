import { readFile } from "node:fs/promises";
import * as v from "valibot";
import { RetainwiseError } from "../errors.ts";
import type { ModelCard } from "../model/card.ts";
import { ModelCardSchema } from "../model/card.ts";
import type { LabeledDataset } from "./dataset.ts";
import type { TrainResult } from "./train.ts";

/**
 * Risk levels of the shipped card. Medium starts near the training churn rate (26.5%: "more likely
 * than the average customer"), High at even odds ("more likely to leave than stay"). On the seed-42
 * held-out split (1,125 rows) that puts 21% of customers in High (67% of them churned), 23% in
 * Medium (33% churned) and 56% in Low (9% churned); see docs/MODEL.md.
 */
export const CARD_THRESHOLDS = { high: 0.5, medium: 0.25 } as const;

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

export interface CardMeta {
  name: string;
  version: string;
  /** ISO timestamp; injectable so tests can compare cards. */
  created?: string;
  /** File name of the training data (no directories: cards ship with the product). */
  file?: string;
}

/** The model card for a training run (validated against ModelCardSchema before it is returned). */
export function buildModelCard(data: LabeledDataset, result: TrainResult, meta: CardMeta): ModelCard {
  const positives = data.labels.reduce((sum, y) => sum + y, 0);
  const card: ModelCard = {
    name: meta.name,
    version: meta.version,
    created: meta.created ?? new Date().toISOString(),
    description: "Churn probability with per-column reasons. Additive logistic regression: one-hot categoricals, linear splines on standardized numerics, L2 chosen by cross-validation.",
    algorithm: "additive-logistic-regression",
    trainingData: { ...(meta.file ? { file: meta.file } : {}), sha256: data.sha256, rows: data.rows, positiveRate: positives / data.rows },
    label: data.label,
    inputs: result.model.terms.map((term) =>
      term.type === "string"
        ? { name: term.name, type: "string" as const, label: factorLabel(term.name), categories: term.categories }
        : { name: term.name, type: "float" as const, label: factorLabel(term.name), mean: term.impute },
    ),
    thresholds: { ...CARD_THRESHOLDS },
    metrics: { heldOut: result.heldOut },
    hyperparameters: {
      seed: result.settings.seed,
      heldOutShare: result.settings.heldOutShare,
      folds: result.settings.folds,
      lambda: result.chosen.lambda,
      knotsPerNumeric: result.chosen.knots,
      candidates: { lambdas: result.settings.lambdas, knotCounts: result.settings.knotCounts },
      heldOutRows: result.split.heldOut.length,
      shippedModel: "refit on all rows with the chosen lambda and knots; metrics are from the fit on the training part",
    },
  };
  return v.parse(ModelCardSchema, card);
}

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

/** Reads and validates a model card; a card that does not match the schema is a permanent error. */
export async function readModelCard(path: string): Promise<ModelCard> {
  const json: unknown = JSON.parse(await readFile(path, "utf8"));
  const parsed = v.safeParse(ModelCardSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new RetainwiseError("model.invalid_card", `The model card ${path} is not valid (${v.getDotPath(issue) ?? "card"}: ${issue.message}). Retrain the model or fix the card.`);
  }
  return parsed.output;
}
