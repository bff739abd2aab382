import type { ForestTree } from "../../model/forest.ts";
import type { BinCodes, BinnedTable } from "./binning.ts";
import { stratifiedSplit } from "../split.ts";
import type { BoostRule, Choice, Terms } from "./boost.ts";
import { addTerm, boostStages, keyOf, rowLogLoss } from "./boost.ts";
import { layoutOf } from "./histogram.ts";
import type { LinearInput } from "./linear.ts";
import { fitLinearStart } from "./linear.ts";
import { forestTreeStep } from "./tree.ts";

/** What every bag of one fit reads; never written, so threads can share it. */
export interface BagContext {
  binned: BinnedTable;
  /** 0/1 label of every row of the table. */
  labels: Uint8Array;
  /** The rows being fitted (indexes into the table). */
  rows: Int32Array;
  settings: BoostRule & { validationShare: number; seed: number; linearRidge: number };
  /** Each input as the linear start reads it (`binMeans` for numbers); absent: the trees start from the base rate. */
  linear?: LinearInput[] | undefined;
  /** Binned inputs past this many are derived sums, candidates like pairs. */
  columns: number;
  choice: Choice;
  /** The forest's order of each categorical column's bins (model/forest.ts `orders`). */
  orders: Record<string, number[]>;
}

/**
 * How much a candidate (a pair, or a derived sum with every term reading it) is worth on a bag's
 * judging rows: the sum and sum of squares over those rows of how much each row's log loss rises
 * when the candidate's tables are taken out.
 */
export interface Rise {
  key: string;
  sum: number;
  sumSq: number;
}

export interface BagResult {
  /** Log-odds of the bag's rows before any tree: their base rate. */
  intercept: number;
  terms: Array<{ inputs: [number] | [number, number]; table: Float64Array }>;
  /** Its forest stage's trees (on ordered codes), in the order grown. */
  forest: ForestTree[];
  /** The bag's validation rows (positions in `rows`) and their log-odds under the bag's model. */
  outOfBag: { positions: Int32Array; logits: Float64Array };
  rounds: { mains: number; pairs: number; forest: number };
  /** Judging rows of the bag, and the rise of every candidate its trees read. */
  judged: { rows: number; rises: Rise[] };
}

/**
 * Boosts one bag: its own stratified fitting/validation split of the rows, seeded by the bag
 * number, so its result depends only on the context and `bag`, never on the thread that runs it.
 * Half the validation rows stop the boosting; the other half, which neither grew nor stopped a
 * tree, judge the pairs and sums the trees chose.
 */
export function fitBag(context: BagContext, bag: number): BagResult {
  const { binned, labels, rows, settings } = context;
  const rowLabels = gather(labels, rows);
  const { train, heldOut: validation } = stratifiedSplit(
    rowLabels,
    settings.validationShare,
    settings.seed + 7919 * (bag + 1),
  );
  const halves = stratifiedSplit(
    Uint8Array.from(validation, (k) => rowLabels[k]!),
    0.5,
    settings.seed + 104_729 * (bag + 1),
  );
  const heldOut = halves.train.map((j) => validation[j]!);
  const judging = halves.heldOut.map((j) => validation[j]!);
  const fitRows = Int32Array.from(train, (k) => rows[k]!);
  const validRows = Int32Array.from(heldOut, (k) => rows[k]!);
  const fitLabels = Uint8Array.from(train, (k) => rowLabels[k]!);
  const intercept = baseLogit(fitLabels);
  const part = (ids: Int32Array, partLabels: Uint8Array) => ({
    codes: binned.codes.map((c) => gather(c, ids)),
    labels: partLabels,
    logits: new Float64Array(ids.length).fill(intercept),
  });
  const valid = part(
    validRows,
    Uint8Array.from(heldOut, (k) => rowLabels[k]!),
  );
  const fit = part(fitRows, fitLabels);
  const start: Terms = new Map();
  if (context.linear) {
    const tables = fitLinearStart(context.linear, fit.codes, fit.labels, fit.logits, settings.linearRidge);
    tables.forEach((table, f) => {
      if (context.linear![f]!.kind === "none") return;
      start.set(String(f), { inputs: [f], table });
      addTerm(valid.logits, valid.codes, { inputs: [f], table }, binned.bins);
    });
  }
  const ordered = Uint8Array.from(binned.specs, (s) => (s.role === "numeric" ? 1 : 0));
  const forestInputs = Array.from({ length: context.columns }, (_, f) => f).filter(
    (f) => !context.choice.disabled.includes(f),
  );
  const inOrder = (codes: BinCodes[]) => codes.map((c, f) => (context.orders[f] ? reorder(c, context.orders[f]!) : c));
  const forest = { fit: inOrder(fit.codes), valid: inOrder(valid.codes), inputs: forestInputs };
  const boosted = boostStages(
    { layout: layoutOf(binned.bins), ordered, fit, valid, forest },
    settings,
    context.choice,
    start,
  );
  const { terms, rounds } = boosted;
  const judge = part(
    Int32Array.from(judging, (k) => rows[k]!),
    Uint8Array.from(judging, (k) => rowLabels[k]!),
  );
  for (const term of terms.values()) addTerm(judge.logits, judge.codes, term, binned.bins, 1);
  const judged = { rows: judging.length, rises: rises(terms, judge, binned.bins, context.columns) };
  // The forest is not judged: on the suite its judged rise did not tell the tables it helped from the ones it did not.
  const judgeForest = inOrder(judge.codes);
  for (const tree of boosted.forest) forestTreeStep(tree, judgeForest, judge.logits);
  const outOfBag = {
    positions: Int32Array.from([...heldOut, ...judging]),
    logits: Float64Array.from([...valid.logits, ...judge.logits]),
  };
  return { intercept, terms: [...terms.values()], forest: boosted.forest, outOfBag, rounds, judged };
}

/** Codes mapped through an order (`order[bin]`). */
function reorder(codes: BinCodes, order: readonly number[]): BinCodes {
  const out = new (codes.constructor as new (n: number) => BinCodes)(codes.length);
  for (let k = 0; k < codes.length; k++) out[k] = order[codes[k]!]!;
  return out;
}

/** The rise of every pair and every derived sum the terms read, on the judging rows. */
function rises(
  terms: Terms,
  judge: { codes: BinCodes[]; labels: Uint8Array; logits: Float64Array },
  bins: number[],
  columns: number,
): Rise[] {
  const all = [...terms.values()];
  const candidates = new Map<string, typeof all>();
  for (const term of all) {
    if (term.inputs.length === 2) candidates.set(keyOf(term), [term]);
    for (const f of term.inputs)
      if (f >= columns) candidates.set(`sum:${f}`, [...(candidates.get(`sum:${f}`) ?? []), term]);
  }
  return [...candidates].map(([key, out]) => {
    const without = judge.logits.slice();
    for (const term of out) addTerm(without, judge.codes, term, bins, -1);
    let sum = 0;
    let sumSq = 0;
    for (let k = 0; k < without.length; k++) {
      const rise = rowLogLoss(without[k]!, judge.labels[k]!) - rowLogLoss(judge.logits[k]!, judge.labels[k]!);
      sum += rise;
      sumSq += rise * rise;
    }
    return { key, sum, sumSq };
  });
}

/** `column[rows[k]]` for every k, in a typed array of the same width. */
export function gather<T extends BinCodes | Uint8Array>(column: T, rows: Int32Array): T {
  const out = new (column.constructor as new (n: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = column[rows[k]!]!;
  return out;
}

/** The log of the base odds of 0/1 labels. */
export function baseLogit(labels: ArrayLike<number>): number {
  let positives = 0;
  for (let k = 0; k < labels.length; k++) positives += labels[k]!;
  const rate = positives / labels.length;
  return Math.log(rate / (1 - rate));
}
