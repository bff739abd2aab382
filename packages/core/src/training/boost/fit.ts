import { RetainwiseError } from "../../errors.ts";
import type { Forest } from "../../model/forest.ts";
import type { TermModel } from "../../model/term-model.ts";
import type { HeldOutMetrics } from "../metrics.ts";
import { classificationMetrics } from "../metrics.ts";
import { stratifiedSplit } from "../split.ts";
import type { TrainingTable } from "../table.ts";
import type { BinnedTable, BinningOptions } from "./binning.ts";
import { binTable } from "./binning.ts";
import type { Recalibration } from "./calibration.ts";
import { fitRecalibration } from "./calibration.ts";
import type { TermImportance } from "./terms.ts";
import { binnedLogits, termImportances, toTermModel } from "./terms.ts";
import type { BagContext, BagResult } from "./bag.ts";
import type { Choice } from "./boost.ts";
import { FREE_CHOICE } from "./boost.ts";
import { judgedChoice } from "./judge.ts";
import type { BagThreads } from "./bag-lanes.ts";
import { BagLanes } from "./bag-lanes.ts";
import type { BoostRule } from "./boost.ts";
import { keyOf } from "./boost.ts";
import { cellWeights, purifyPair } from "./purify.ts";
import { sumCandidates, withSums } from "./derived.ts";
import type { LinearInput } from "./linear.ts";
import { binMeans } from "./linear.ts";

export interface FitProgress {
  phase: "bin" | "boost" | "calibrate" | "refit boost" | "refit calibrate" | "done";
  /** Of the whole fit, 0–100. */
  percent: number;
}

export interface FitSettings extends BoostRule, BinningOptions {
  seed: number;
  /** Share of rows held out (stratified) for the reported metrics; never used for fitting the measured model. */
  heldOutShare: number;
  /** Fit again on every row once measured (the shipped model) when the table has at most this many rows; 0 never. */
  refitMaxRows: number;
  /** Platt-style recalibration of the log-odds on out-of-bag rows (keeps reasons exact). */
  calibrate: boolean;
  /** More rows than this fail with `train.too_many_rows`. */
  maxRows: number;
  /** Outer bags: each boosts on its own fitting/validation split; the tables are averaged. */
  bags: number;
  /** Share of a bag's rows kept aside to stop its boosting (stratified). */
  validationShare: number;
  /** Start every bag from a ridge logistic regression on the binned inputs (linear.ts), which the trees then correct. */
  linearStart: boolean;
  /** Its ridge, on the summed log loss (scikit-learn's LogisticRegression default, C = 1, is 1). */
  linearRidge: number;
}

/** How the fit runs, which never changes the model: not settings (the card does not record them). */
export interface FitOptions extends Partial<FitSettings>, Partial<BagThreads> {
  onProgress?: (progress: FitProgress) => void;
}

export const DEFAULT_FIT_SETTINGS: FitSettings = {
  seed: 42,
  heldOutShare: 0.2,
  refitMaxRows: 50_000,
  calibrate: true,
  maxRows: 200_000,
  maxBins: 64,
  minCategoryRows: 10,
  bags: 4,
  validationShare: 0.15,
  learningRate: 0.05,
  maxLeaves: 8,
  minLeafRows: 20,
  minLeafHessian: 1e-3,
  l2: 1,
  categorySmoothing: 10,
  maxRounds: 1000,
  patience: 40,
  maxPairs: 10,
  forestLeaves: 16,
  forestLearningRate: 0.2,
  forestRounds: 100,
  linearStart: true,
  linearRidge: 1,
};

export interface FitResult {
  /** The shipped model: refit on every row up to `refitMaxRows`, else the measured fit. */
  model: TermModel;
  refitted: boolean;
  /** Metrics of the training-part fit on the held-out rows (`split.heldOut`). */
  heldOut: HeldOutMetrics;
  split: { train: number[]; heldOut: number[] };
  /** The measured model's churn probability for each `split.heldOut` row, same order. */
  heldOutProbabilities: Float64Array;
  thresholds: { high: number; medium: number };
  importances: TermImportance[];
  calibration: Recalibration;
  /** Trees each bag kept per stage, in the shipped fit. */
  rounds: { mains: number[]; pairs: number[]; forest: number[] };
  settings: FitSettings;
}

/**
 * Fits an additive model of main and pair terms by gradient boosting trees that read at most two
 * inputs each (boost.ts), bagged and recalibrated: every contribution is exact and sums, with the
 * intercept, to the log-odds. Deterministic: the same table and seed give the same model, byte for byte.
 *
 * @example const { model, heldOut } = await fitTermModel(table, { seed: 42, onProgress: (p) => log(p) });
 */
export async function fitTermModel(table: TrainingTable, options: FitOptions = {}): Promise<FitResult> {
  const { onProgress = () => {}, threads = 1, workerEntry, ...rest } = options;
  const settings: FitSettings = { ...DEFAULT_FIT_SETTINGS, ...rest };
  checkTable(table, settings);
  const lanes = new BagLanes({ threads: Math.min(threads, settings.bags), workerEntry });
  try {
    return await fitOnLanes(table, settings, lanes, onProgress);
  } finally {
    await lanes.close();
  }
}

async function fitOnLanes(
  table: TrainingTable,
  settings: FitSettings,
  lanes: BagLanes,
  onProgress: (progress: FitProgress) => void,
): Promise<FitResult> {
  onProgress({ phase: "bin", percent: 0 });
  const all = Int32Array.from({ length: table.rows }, (_, r) => r);
  // Bins use no label, so learning them from every row leaks nothing of the held-out labels.
  // Sums of columns in one unit are binned as inputs too: the trees take one where it gains on
  // the fitting rows, and the judging rows keep it only where it helps (judge.ts).
  const sums = sumCandidates(table);
  const binned = binTable(withSums(table, sums), all, settings);
  const columns = { count: table.inputs.length, sumOf: sums.map((c) => c.sumOf) };
  const split = stratifiedSplit(table.labels, settings.heldOutShare, settings.seed);
  const refit = table.rows <= settings.refitMaxRows;
  const passes = refit ? 2 : 1;
  const linear = settings.linearStart ? linearInputs(table, binned, all) : undefined;
  const measured = await fitRows(
    binned,
    columns,
    linear,
    table.labels,
    Int32Array.from(split.train),
    settings,
    lanes,
    null,
    (phase, share) => onProgress({ phase, percent: (100 * share) / passes }),
  );
  const heldOutRows = Int32Array.from(split.heldOut);
  const heldOutProbabilities = binnedLogits(measured.model, measured.binned, heldOutRows).map(
    (z) => 1 / (1 + Math.exp(-z)),
  );
  const heldOut = classificationMetrics(
    heldOutProbabilities,
    Uint8Array.from(heldOutRows, (r) => table.labels[r]!),
  );
  // The refit keeps the pairs and sums the measured fit kept: they were judged on its rows already.
  const shipped = refit
    ? await fitRows(binned, columns, linear, table.labels, all, settings, lanes, measured.kept, (phase, share) =>
        onProgress({ phase: `refit ${phase}` as FitProgress["phase"], percent: 50 + 50 * share }),
      )
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
/**
 * Without `held`, two passes at most: the trees choose pairs and sums freely, the judging rows keep
 * some, and when any was dropped the bags are boosted again held to what was kept (the dropped ones'
 * share of the fit goes back to the rest). With `held`, one pass held to it.
 */
async function fitRows(
  binned: BinnedTable,
  columns: { count: number; sumOf: number[][] },
  linear: LinearInput[] | undefined,
  labels: Uint8Array,
  rows: Int32Array,
  settings: FitSettings,
  lanes: BagLanes,
  held: Choice | null,
  progress: (phase: "boost" | "calibrate", share: number) => void,
) {
  const orders = levelOrders(binned, labels, rows, columns.count, settings.categorySmoothing);
  const context: BagContext = {
    binned,
    labels,
    rows,
    settings,
    linear,
    columns: columns.count,
    choice: held ?? FREE_CHOICE,
    orders,
  };
  const passes = held ? 1.1 : 2.1;
  const step = (pass: number) => (done: number) => progress("boost", (pass + done / settings.bags) / passes);
  lanes.use(context);
  let bags = await lanes.run(settings.bags, step(0));
  const choice = held ? null : judgedChoice(bags, columns.count, binned.specs.length, settings.maxPairs);
  if (choice) {
    lanes.use({ ...context, choice });
    bags = await lanes.run(settings.bags, step(1));
  }
  progress("calibrate", (passes - 0.1) / passes);
  const averaged = {
    ...averageBags(binned, bags, rows, settings.maxPairs, columns.count),
    forest: averageForests(bags, orders),
  };
  const calibration = settings.calibrate ? outOfBagRecalibration(bags, labels, rows) : { slope: 1, offset: 0 };
  const rounds = {
    mains: bags.map((b) => b.rounds.mains),
    pairs: bags.map((b) => b.rounds.pairs),
    forest: bags.map((b) => b.rounds.forest),
  };
  const read = new Set([...averaged.derivedMains.map((d) => d.input), ...averaged.pairs.flatMap((p) => p.inputs)]);
  const kept: Choice = {
    disabled: binned.specs.map((_, f) => f).filter((f) => f >= columns.count && !read.has(f)),
    pairs: averaged.pairs.map((p) => keyOf(p)),
  };
  return {
    ...toTermModel(binned, averaged, rows, calibration, columns.count, columns.sumOf),
    calibration,
    rounds,
    kept,
  };
}

/** How the linear start reads each input: numbers by their bin's mean (from every row: no label is read), levels one hot. */
function linearInputs(table: TrainingTable, binned: BinnedTable, rows: Int32Array): LinearInput[] {
  return binned.specs.map((_, f): LinearInput => {
    const input = table.inputs[f];
    if (!input) return { kind: "none", bins: binned.bins[f]! };
    return input.role === "numeric"
      ? { kind: "numeric", values: binMeans(input.values, binned.codes[f]!, binned.bins[f]!, rows) }
      : { kind: "levels", bins: binned.bins[f]! };
  });
}

/** The bags' mean model: a main table per input, the pairs any bag boosted (purified), best first. */
function averageBags(binned: BinnedTable, bags: BagResult[], rows: Int32Array, maxPairs: number, columns: number) {
  const mains = binned.bins.map((n) => new Float64Array(n));
  const pairs = new Map<string, { inputs: [number, number]; table: Float64Array }>();
  let intercept = 0;
  for (const bag of bags) {
    intercept += bag.intercept / bags.length;
    for (const term of bag.terms) {
      if (term.inputs.length === 1) {
        addScaled(mains[term.inputs[0]]!, term.table, 1 / bags.length);
        continue;
      }
      const key = keyOf(term);
      if (!pairs.has(key)) pairs.set(key, { inputs: term.inputs, table: new Float64Array(term.table.length) });
      addScaled(pairs.get(key)!.table, term.table, 1 / bags.length);
    }
  }
  const purified = [...pairs.values()]
    .sort((p, q) => p.inputs[0] - q.inputs[0] || p.inputs[1] - q.inputs[1])
    .map((pair) => {
      const weights = cellWeights(binned, pair.inputs, rows);
      purifyPair(pair.table, mains[pair.inputs[0]]!, mains[pair.inputs[1]]!, weights);
      return { ...pair, strength: meanAbs(pair.table, weights) };
    });
  // Bags held to the judged pairs read at most `maxPairs`; a free pass that kept every pair it read
  // may still read more across bags: the strongest are kept, the rest lose their pure interaction
  // (their main effects were moved out above).
  const kept = purified.sort((p, q) => q.strength - p.strength).slice(0, maxPairs);
  // A sum no tree read has an all-zero table: it is no input of the model.
  const derivedMains = mains
    .slice(columns)
    .flatMap((table, d) => (table.some((v) => v !== 0) ? [{ input: columns + d, table }] : []));
  return {
    intercept,
    mains: mains.slice(0, columns),
    derivedMains,
    pairs: kept.map(({ inputs, table }) => ({ inputs, table })),
  };
}

/**
 * The forest's order of each categorical column's levels: by their share of positives among
 * `rows`, shrunk to the base rate by `smoothing` rows, so a tree's threshold on the order groups
 * levels of like risk (as LightGBM orders them per node; one order for the whole forest keeps every
 * split a threshold). Bin 0 (blank) stays 0: each split learns its side.
 */
function levelOrders(
  binned: BinnedTable,
  labels: Uint8Array,
  rows: Int32Array,
  columns: number,
  smoothing: number,
): Record<string, number[]> {
  let positives = 0;
  for (const r of rows) positives += labels[r]!;
  const base = positives / rows.length;
  const orders: Record<string, number[]> = {};
  for (let f = 0; f < columns; f++) {
    if (binned.specs[f]!.role === "numeric") continue;
    const bins = binned.bins[f]!;
    const [count, hits] = [new Float64Array(bins), new Float64Array(bins)];
    const codes = binned.codes[f]!;
    for (const r of rows) {
      count[codes[r]!]! += 1;
      hits[codes[r]!]! += labels[r]!;
    }
    const rate = (b: number) => (hits[b]! + smoothing * base) / (count[b]! + smoothing);
    const levels = Array.from({ length: bins - 1 }, (_, k) => k + 1).sort((a, b) => rate(a) - rate(b) || a - b);
    const order = new Array<number>(bins).fill(0);
    levels.forEach((b, k) => {
      order[b] = k + 1;
    });
    orders[f] = order;
  }
  return orders;
}

/** Every bag's forest trees in one forest, each tree's values divided by the bags (their mean, as the tables). */
function averageForests(bags: BagResult[], orders: Record<string, number[]>): Forest {
  const trees = bags.flatMap((bag) =>
    bag.forest.map((tree) => ({ ...tree, value: tree.value.map((v) => v / bags.length) })),
  );
  const read = new Set(trees.flatMap((tree) => tree.input.filter((f) => f >= 0)));
  return { orders: Object.fromEntries(Object.entries(orders).filter(([f]) => read.has(Number(f)))), trees };
}

function meanAbs(table: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let weight = 0;
  for (let c = 0; c < table.length; c++) {
    sum += weights[c]! * Math.abs(table[c]!);
    weight += weights[c]!;
  }
  return weight > 0 ? sum / weight : 0;
}

function addScaled(into: Float64Array, table: Float64Array, scale: number): void {
  for (let c = 0; c < table.length; c++) into[c]! += scale * table[c]!;
}

function outOfBagRecalibration(bags: BagResult[], labels: Uint8Array, rows: Int32Array): Recalibration {
  const logits: number[] = [];
  const outcomes: number[] = [];
  for (const bag of bags) {
    bag.outOfBag.positions.forEach((k, j) => {
      logits.push(bag.outOfBag.logits[j]!);
      outcomes.push(labels[rows[k]!]!);
    });
  }
  return fitRecalibration(logits, outcomes);
}

function proposeThresholds(labels: Uint8Array): { high: number; medium: number } {
  let positives = 0;
  for (const y of labels) positives += y;
  const base = positives / labels.length;
  const round = (p: number) => Math.round(p * 100) / 100;
  return { medium: round(base), high: round(Math.max(base, Math.min(0.5, 2 * base))) };
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
    throw new RetainwiseError(
      "train.one_class",
      "Every training row has the same label. Training needs both churned and retained customers.",
    );
  }
  if (table.inputs.length === 0) {
    throw new RetainwiseError(
      "train.no_inputs",
      "No column can be used as a model input. Include at least one column that describes the customer.",
    );
  }
}
