import type { LabeledDataset } from "./dataset.ts";
import { encodeRows, fitLayout, rowCells, toAdditiveModel } from "./features.ts";
import { fitLogistic, linearPredictor } from "./logistic.ts";
import type { HeldOutMetrics } from "./metrics.ts";
import { classificationMetrics } from "./metrics.ts";
import type { AdditiveModel } from "./model.ts";
import { scoreRow } from "./model.ts";
import { stratifiedFolds, stratifiedSplit } from "./split.ts";

export interface TrainOptions {
  seed?: number;
  /** Share of rows held out for the reported metrics (stratified). */
  heldOutShare?: number;
  /** Cross-validation folds on the training part, for choosing the hyperparameters. */
  folds?: number;
  /** Candidate L2 penalties (sklearn C = 1/λ), tried from strongest to weakest with warm starts. */
  lambdas?: number[];
  /** Candidate spline knot counts per numeric column (0 = plain standardized linear term). */
  knotCounts?: number[];
  onProgress?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface Hyperparameters {
  lambda: number;
  knots: number;
}

export interface TrainResult {
  /** Refit on every row of the file with the chosen hyperparameters: the model we ship. */
  model: AdditiveModel;
  /** The same hyperparameters fitted on the training part only: what the held-out metrics measure. */
  evaluationModel: AdditiveModel;
  chosen: Hyperparameters;
  /** Mean cross-validated log loss of every candidate, best first. */
  crossValidation: Array<Hyperparameters & { logLoss: number }>;
  split: { train: number[]; heldOut: number[] };
  heldOut: HeldOutMetrics;
  settings: Required<Omit<TrainOptions, "onProgress">>;
}

export const DEFAULT_TRAIN_OPTIONS: Required<Omit<TrainOptions, "onProgress">> = {
  seed: 42,
  heldOutShare: 0.2,
  folds: 5,
  lambdas: [100, 30, 10, 3, 1, 0.3, 0.1],
  knotCounts: [0, 3, 5],
};

/**
 * Trains the additive logistic churn model: stratified held-out split (seeded), hyperparameters
 * chosen by k-fold cross-validated log loss on the training part, held-out metrics from a fit on
 * the training part, and finally a refit on all rows with the chosen hyperparameters.
 *
 * @example const result = trainChurnModel(readLabeledCsv(bytes, { label: "Churn" }), { seed: 42 });
 */
export function trainChurnModel(data: LabeledDataset, options: TrainOptions = {}): TrainResult {
  const { onProgress = () => {}, ...rest } = options;
  const settings = { ...DEFAULT_TRAIN_OPTIONS, ...rest };
  const split = stratifiedSplit(data.labels, settings.heldOutShare, settings.seed);
  onProgress("split", { trainRows: split.train.length, heldOutRows: split.heldOut.length });

  const crossValidation = crossValidate(data, split.train, settings, onProgress);
  const chosen = crossValidation[0]!;
  onProgress("chose hyperparameters", { lambda: chosen.lambda, knots: chosen.knots, cvLogLoss: chosen.logLoss });

  const evaluationModel = fitModel(data, split.train, chosen);
  const heldOutProbabilities = split.heldOut.map((r) => scoreRow(evaluationModel, rowCells(data.values, r)).probability);
  const heldOut = classificationMetrics(heldOutProbabilities, split.heldOut.map((r) => data.labels[r]!));
  onProgress("held-out metrics", { auc: heldOut.auc, brier: heldOut.brier, accuracy: heldOut.accuracy });

  const allRows = Array.from({ length: data.rows }, (_, i) => i);
  const model = fitModel(data, allRows, chosen);
  onProgress("refit on all rows", { rows: data.rows });
  return { model, evaluationModel, chosen: { lambda: chosen.lambda, knots: chosen.knots }, crossValidation, split, heldOut, settings };
}

/** Fits the model with fixed hyperparameters on the given rows. */
export function fitModel(data: LabeledDataset, rows: number[], { lambda, knots }: Hyperparameters): AdditiveModel {
  const layout = fitLayout(data.columns, data.values, rows, knots);
  const weights = fitLogistic(encodeRows(layout, data.values, rows), rows.map((r) => data.labels[r]!), layout.width, { lambda });
  return toAdditiveModel(layout, weights, data.values, rows);
}

function crossValidate(
  data: LabeledDataset,
  trainRows: number[],
  settings: Required<Omit<TrainOptions, "onProgress">>,
  onProgress: NonNullable<TrainOptions["onProgress"]>,
) {
  const fold = stratifiedFolds(trainRows.map((r) => data.labels[r]!), settings.folds, settings.seed + 1);
  const lambdas = [...settings.lambdas].sort((a, b) => b - a);
  const loss = new Map<string, number>();
  for (let f = 0; f < settings.folds; f++) {
    const fitRows = trainRows.filter((_, i) => fold[i] !== f);
    const validRows = trainRows.filter((_, i) => fold[i] === f);
    const validLabels = validRows.map((r) => data.labels[r]!);
    for (const knots of settings.knotCounts) {
      const layout = fitLayout(data.columns, data.values, fitRows, knots);
      const design = encodeRows(layout, data.values, fitRows);
      const validDesign = encodeRows(layout, data.values, validRows);
      let weights: Float64Array | undefined;
      for (const lambda of lambdas) {
        weights = fitLogistic(design, fitRows.map((r) => data.labels[r]!), layout.width, { lambda, initial: weights });
        const key = `${knots}:${lambda}`;
        loss.set(key, (loss.get(key) ?? 0) + meanLogLoss(validDesign.map((row) => linearPredictor(row, weights!)), validLabels) / settings.folds);
      }
    }
    onProgress("cross-validation fold done", { fold: f + 1, of: settings.folds });
  }
  return [...loss.entries()]
    .map(([key, logLoss]) => {
      const [knots, lambda] = key.split(":").map(Number);
      return { knots: knots!, lambda: lambda!, logLoss };
    })
    .sort((a, b) => a.logLoss - b.logLoss || b.lambda - a.lambda || a.knots - b.knots);
}

function meanLogLoss(logits: number[], labels: number[]): number {
  // log(1 + e^-t) for positives, log(1 + e^t) for negatives, computed without overflow.
  const softplus = (t: number) => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));
  return logits.reduce((sum, t, i) => sum + softplus(labels[i] ? -t : t), 0) / logits.length;
}
