import { RetainwiseError } from "../../errors.ts";
import type { TermModel } from "../../model/term-model.ts";
import type { HeldOutMetrics } from "../metrics.ts";
import { classificationMetrics } from "../metrics.ts";
import { stratifiedSplit } from "../split.ts";
import type { TrainingTable } from "../table.ts";
import type { BaggingSettings } from "./bagging.ts";
import { fitBaggedTerms } from "./bagging.ts";
import type { BagThreads } from "./bag-lanes.ts";
import { BagLanes } from "./bag-lanes.ts";
import type { BinnedTable, BinningOptions } from "./binning.ts";
import { binTable } from "./binning.ts";
import type { Recalibration } from "./calibration.ts";
import { fitRecalibration } from "./calibration.ts";
import type { TermImportance } from "./terms.ts";
import { binnedLogits, termImportances, toTermModel } from "./terms.ts";
import { sumCandidates, withSums } from "./derived.ts";

export interface FitProgress {
  phase: "bin" | "mains" | "pairs" | "calibrate" | "refit mains" | "refit pairs" | "refit calibrate" | "done";
  /** Of the whole fit, 0–100. */
  percent: number;
}

export interface FitSettings extends BaggingSettings, BinningOptions {
  /** Share of rows held out (stratified) for the reported metrics; never used for fitting the measured model. */
  heldOutShare: number;
  /**
   * Fit again on every row once measured (the shipped model) when the table has at most this many
   * rows; 0 never. The held-out fifth is worth a second fit on small tables; on large ones it adds
   * little accuracy and doubles the time (issue 10: 100k rows in 2 minutes).
   */
  refitMaxRows: number;
  /** Platt-style recalibration of the log-odds on out-of-bag rows (keeps reasons exact). */
  calibrate: boolean;
  /** More rows than this fail with `train.too_many_rows`: training time grows linearly with rows. */
  maxRows: number;
}

/** How the fit runs, which never changes the model: not settings (the card does not record them). */
export interface FitOptions extends Partial<FitSettings>, Partial<BagThreads> {
  onProgress?: (progress: FitProgress) => void;
}

/**
 * Defaults chosen on principle, not on the three bench tables: EBM's published defaults where they
 * exist (14 outer bags, its current default: the bags run side by side on the machine's cores, so
 * 14 cost on two cores what 8 cost on one; 15% validation, 3-leaf main trees, FAST pairs, 0.9 pairs
 * per input, 50-round patience), 64 bins per
 * input (fine enough for smooth shapes, small enough that a pair table has at most 66 x 66 cells),
 * pairs boosted on 32 groups per input (EBM's interaction bins).
 */
export const DEFAULT_FIT_SETTINGS: FitSettings = {
  seed: 42,
  heldOutShare: 0.2,
  refitMaxRows: 50_000,
  calibrate: true,
  maxRows: 200_000,
  maxBins: 64,
  minCategoryRows: 10,
  bags: 14,
  validationShare: 0.15,
  learningRate: 0.02,
  maxRounds: 3000,
  patience: 50,
  mainLeaves: 3,
  minLeafRows: 4,
  l2: 0,
  pairsPerInput: 0.9,
  validatePairs: true,
  pairBins: 32,
};

/**
 * Outer bags on a table past `refitMaxRows` (the card records the number used). Bagging averages
 * away the seed-to-seed spread of one boosted fit, and that spread shrinks as rows grow: past 50k
 * rows 8 bags (EBM's earlier default) leave less of it than 14 do at 10k, while 14 would put a 100k
 * fit at ~2 minutes on two cores (issue 10's bar: 120 s).
 */
const LARGE_TABLE_BAGS = 8;

export interface FitResult {
  /**
   * The shipped model. Up to `refitMaxRows` rows it is fitted on every row of the table, after the
   * same settings were measured on a fit of the training part; beyond, it is that measured fit. Either way it is an average of `bags` boosted models, recalibrated and centred.
   */
  model: TermModel;
  /** Whether `model` is the refit on every row (see `refitMaxRows`) rather than the measured fit. */
  refitted: boolean;
  /** Metrics of the training-part fit on the held-out rows (`split.heldOut`). */
  heldOut: HeldOutMetrics;
  /** Row indexes (ascending) of each part of the table. */
  split: { train: number[]; heldOut: number[] };
  /** The measured model's churn probability for each `split.heldOut` row, same order. */
  heldOutProbabilities: Float64Array;
  /** Proposed risk levels: medium from the base churn rate, high at twice it (capped at even odds). */
  thresholds: { high: number; medium: number };
  /** Mean |contribution| of every term of `model` over the table's rows, largest first. */
  importances: TermImportance[];
  /** Recalibration folded into `model` (slope 1, offset 0 when off). */
  calibration: Recalibration;
  /** Rounds each bag used before early stopping, in the shipped fit. */
  rounds: { mains: number[]; pairs: number[] };
  settings: FitSettings;
}

/**
 * Fits an Explainable Boosting Machine (GA2M): one lookup table per input plus tables for the
 * strongest pairs, so every contribution is exact and sums, with the intercept, to the log-odds.
 * Deterministic: the same table and seed give the same model, byte for byte, on any number of
 * threads (`threads`, with `workerEntry` to start the extra ones from: the bags of each stage run
 * side by side).
 *
 * @example
 *   const { model, heldOut } = await fitTermModel(table, { seed: 42, threads: 2, workerEntry, onProgress: (p) => log(p) });
 */
export async function fitTermModel(table: TrainingTable, options: FitOptions = {}): Promise<FitResult> {
  const { onProgress = () => {}, threads = 1, workerEntry, ...rest } = options;
  const defaults = { ...DEFAULT_FIT_SETTINGS, ...rest };
  const settings: FitSettings = rest.bags === undefined && table.rows > defaults.refitMaxRows ? { ...defaults, bags: LARGE_TABLE_BAGS } : defaults;
  checkTable(table, settings);
  const lanes = new BagLanes({ threads: Math.min(threads, settings.bags), workerEntry });
  try {
    return await fitOnLanes(table, settings, lanes, onProgress);
  } finally {
    await lanes.close();
  }
}

async function fitOnLanes(table: TrainingTable, settings: FitSettings, lanes: BagLanes, onProgress: (progress: FitProgress) => void): Promise<FitResult> {
  onProgress({ phase: "bin", percent: 0 });
  const all = Int32Array.from({ length: table.rows }, (_, r) => r);
  // Bins are learned from every row: they use no label, so the held-out rows leak nothing into them.
  // Candidate sums (columns named with the same unit) are binned with the rest; the fit keeps those held-out rows vouch for.
  const sums = settings.validatePairs ? sumCandidates(table) : [];
  const binned = binTable(withSums(table, sums), all, settings);
  const columns = { count: table.inputs.length, sumOf: sums.map((c) => c.sumOf) };
  const split = stratifiedSplit(table.labels, settings.heldOutShare, settings.seed);
  const refit = table.rows <= settings.refitMaxRows;
  const passes = refit ? 2 : 1;
  const measured = await fitRows(binned, columns, table.labels, Int32Array.from(split.train), settings, lanes, (phase, share) =>
    onProgress({ phase, percent: (100 * share) / passes }),
  );
  const heldOutRows = Int32Array.from(split.heldOut);
  const heldOutProbabilities = binnedLogits(measured.model, measured.binned, heldOutRows).map((z) => 1 / (1 + Math.exp(-z)));
  const heldOut = classificationMetrics(heldOutProbabilities, gatherLabels(table.labels, heldOutRows));
  const shipped = refit
    ? await fitRows(binned, columns, table.labels, all, settings, lanes, (phase, share) => onProgress({ phase: `refit ${phase}` as FitProgress["phase"], percent: 50 + 50 * share }))
    : measured;
  onProgress({ phase: "done", percent: 100 });
  return {
    model: shipped.model,
    refitted: refit,
    heldOut,
    split,
    heldOutProbabilities,
    thresholds: proposeThresholds(table.labels),
    importances: termImportances(shipped.model, shipped.binned, all),
    calibration: shipped.calibration,
    rounds: shipped.rounds,
    settings,
  };
}

/** `columns`: how many of the binned inputs are the table's own; the rest are candidate sums of them (`sumOf`). */
async function fitRows(binned: BinnedTable, columns: { count: number; sumOf: number[][] }, labels: Uint8Array, rows: Int32Array, settings: FitSettings, lanes: BagLanes, progress: (phase: "mains" | "pairs" | "calibrate", share: number) => void) {
  // Every bag-job of every stage a step, calibration one more.
  let steps = 1;
  const fitted = await fitBaggedTerms(binned, labels, rows, settings, lanes, (stage, done, total) => progress(stage, done / ((steps = total + 1))), columns.count);
  progress("calibrate", (steps - 1) / steps);
  const calibration = settings.calibrate ? outOfBagRecalibration(fitted.outOfBag, labels, rows) : { slope: 1, offset: 0 };
  return { ...toTermModel(binned, fitted, rows, calibration, columns.count, columns.sumOf), calibration, rounds: fitted.rounds };
}

function outOfBagRecalibration(outOfBag: { sum: Float64Array; count: Uint16Array }, labels: Uint8Array, rows: Int32Array): Recalibration {
  const logits: number[] = [];
  const outcomes: number[] = [];
  rows.forEach((r, k) => {
    if (outOfBag.count[k]! > 0) logits.push(outOfBag.sum[k]! / outOfBag.count[k]!), outcomes.push(labels[r]!);
  });
  return fitRecalibration(logits, outcomes);
}

function proposeThresholds(labels: Uint8Array): { high: number; medium: number } {
  let positives = 0;
  for (const y of labels) positives += y;
  const base = positives / labels.length;
  const round = (p: number) => Math.round(p * 100) / 100;
  return { medium: round(base), high: round(Math.max(base, Math.min(0.5, 2 * base))) };
}

function gatherLabels(labels: Uint8Array, rows: Int32Array): Uint8Array {
  return Uint8Array.from(rows, (r) => labels[r]!);
}

function checkTable(table: TrainingTable, settings: FitSettings): void {
  if (table.rows > settings.maxRows) {
    throw new RetainwiseError(
      "train.too_many_rows",
      `The training file has ${table.rows} rows; at most ${settings.maxRows} are trained on (training time grows with rows). Sample ${settings.maxRows} rows, keeping churners and stayers in proportion, and train on that.`,
    );
  }
  let positives = 0;
  for (const y of table.labels) positives += y;
  if (positives === 0 || positives === table.rows) {
    throw new RetainwiseError("train.one_class", "Every training row has the same label. Training needs both churned and retained customers.");
  }
  if (table.inputs.length === 0) {
    throw new RetainwiseError("train.no_inputs", "No column can be used as a model input. Include at least one column that describes the customer.");
  }
}
