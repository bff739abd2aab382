import { stratifiedSplit } from "../split.ts";
import type { BinnedTable } from "./binning.ts";
import type { BoostedTerm, BoostResult, BoostSettings } from "./boosting.ts";
import { boostTerms } from "./boosting.ts";
import type { CoarseInput } from "./pairs.ts";
import { coarseGrids, gather, pairTerm, rankPairs, sameInformation, spreadOverBins } from "./pairs.ts";
import type { StageTerm } from "./pair-selection.ts";
import { distinctPairs, gradients, validatedTerms } from "./pair-selection.ts";

export interface BaggingSettings extends BoostSettings {
  /** Outer bags: each boosts on its own fitting/validation split; the tables are averaged. */
  bags: number;
  /** Share of a bag's rows kept aside for early stopping (stratified). */
  validationShare: number;
  /** Pair terms, the best by FAST rank: at most this many per input (EBM's default: 0.9). */
  pairsPerInput: number;
  /**
   * Choose the second-stage terms by held-out loss (`validatedTerms`): derived sums of same-unit
   * columns, then pairs ranked by each bag on its own fitting rows, each kept only where taking it
   * out raises the loss of rows that neither chose nor stopped it beyond a significance bar. Off:
   * no sums, and EBM's top FAST pairs.
   */
  validatePairs: boolean;
  /** Groups per input on a pair term's grid (see `pairGrid`). */
  pairBins: number;
  seed: number;
}

export interface BaggedTerms {
  intercept: number;
  /** Averaged main-effect table per input (length = bins of the input). */
  mains: Float64Array[];
  /** Derived inputs kept as main terms (input index into the binned table, table over its bins). */
  derivedMains: Array<{ input: number; table: Float64Array }>;
  pairs: Array<{ inputs: [number, number]; table: Float64Array }>;
  /** Sum and count of each row's log-odds from the bags where it was a validation row (index as `rows`). */
  outOfBag: { sum: Float64Array; count: Uint16Array };
  /** Rounds each bag boosted before its best validation loss, per stage. */
  rounds: { mains: number[]; pairs: number[] };
}

export type StageProgress = (stage: "mains" | "pair selection" | "pairs", done: number) => void;

/**
 * EBM's stages on the given rows, each bagged: (1) main effects of the table's `columns` boosted
 * cyclically until early stopping; (2) with `validatePairs`, the derived candidates (binned inputs
 * past `columns`) that held-out rows vouch for join the main effects, boosted again with them;
 * (3) pairs, chosen by held-out loss (or EBM's top FAST ranks), boosted as grid terms on top of
 * each bag's own main effects. `done` counts finished bag-stages.
 */
export function fitBaggedTerms(binned: BinnedTable, labels: Uint8Array, rows: Int32Array, settings: BaggingSettings, progress: StageProgress, columns = binned.specs.length): BaggedTerms {
  const rowLabels = gather(labels, rows) as Uint8Array;
  const intercept = baseLogit(rowLabels);
  const bags = Array.from({ length: settings.bags }, (_, b) => bagSplit(rowLabels, settings.validationShare, settings.seed + 7919 * (b + 1)));
  // The table's own columns get main effects first; inputs past them are derived candidates (`sumCandidates`).
  const inputs = Array.from({ length: columns }, (_, i) => i);
  const boostMains = (b: number, of: number[]) => {
    const rowsOf = bagRows(bags[b]!, rows, rowLabels, intercept);
    return boostTerms(
      of.map((i) => mainTerm(binned, i, rowsOf.fit, rowsOf.valid)),
      rowsOf,
      settings,
    );
  };
  const firstMains = bags.map((_, b) => {
    const result = boostMains(b, inputs);
    progress("mains", b + 1);
    return result;
  });
  const grids = coarseGrids(binned, settings.pairBins);
  // A bag's rows with its own main effects (of the inputs `of`) already in their log-odds: where its second stage starts from.
  const withMains = (b: number, of = inputs, perBag = firstMains) => {
    const rowsOf = bagRows(bags[b]!, rows, rowLabels, intercept);
    of.forEach((i, t) => {
      addTable(rowsOf.fitLogits, binned.codes[i]!, rowsOf.fit, perBag[b]!.tables[t]!);
      addTable(rowsOf.validLogits, binned.codes[i]!, rowsOf.valid, perBag[b]!.tables[t]!);
    });
    return rowsOf;
  };
  const termOf = (of: StageTerm, fit: Int32Array, valid: Int32Array) => (of.length === 1 ? mainTerm(binned, of[0], fit, valid) : pairTerm(grids, of, fit, valid));
  const wantedPairs = Math.round(settings.pairsPerInput * columns);
  // `withMain` are the inputs whose main effects `perBag` holds; pairs are sought among them.
  const select = (derived: number[], withMain: number[], perBag: BoostResult[], pairs: number, done: (bags: number) => void) =>
    validatedTerms(grids, { derived, pairsAmong: withMain, pairs }, bags.length, (b) => withMains(b, withMain, perBag), termOf, settings, done);
  // Kept sums join the main effects, boosted cyclically with the columns they add up (sharing credit).
  const sums = settings.validatePairs ? select(binned.specs.map((_, i) => i).slice(columns), inputs, firstMains, 0, () => {}).flat() : [];
  const mainInputs = [...inputs, ...sums];
  const mainsPerBag = sums.length === 0 ? firstMains : bags.map((_, b) => boostMains(b, mainInputs));
  const mains = average(mainsPerBag.map((r) => r.tables));
  const pairs = (
    settings.validatePairs ? select([], mainInputs, mainsPerBag, wantedPairs, (done) => progress("pair selection", done)) : topFastPairs(binned, grids, rows, rowLabels, intercept, mains, settings)
  ) as Array<[number, number]>;
  const outOfBag = { sum: new Float64Array(rows.length), count: new Uint16Array(rows.length) };
  const pairsPerBag = bags.map((bag, b) => {
    const rowsOf = withMains(b, mainInputs, mainsPerBag);
    const result = boostTerms(pairs.map((of) => pairTerm(grids, of, rowsOf.fit, rowsOf.valid)), rowsOf, settings);
    bag.valid.forEach((k, v) => ((outOfBag.sum[k]! += rowsOf.validLogits[v]!), outOfBag.count[k]!++));
    progress("pairs", b + 1);
    return result;
  });
  const pairTables = average(pairsPerBag.map((r) => r.tables));
  return {
    intercept,
    mains: mains.slice(0, columns),
    derivedMains: mainInputs.slice(columns).map((input, d) => ({ input, table: mains[columns + d]! })),
    pairs: pairs.map((of, p) => ({ inputs: of, table: spreadOverBins(binned, grids, of, pairTables[p]!) })),
    outOfBag,
    rounds: { mains: mainsPerBag.map((r) => r.rounds), pairs: pairsPerBag.map((r) => r.rounds) },
  };
}

interface Bag {
  /** Positions in `rows` of the bag's fitting and validation rows. */
  fit: Int32Array;
  valid: Int32Array;
}

function bagSplit(labels: Uint8Array, validationShare: number, seed: number): Bag {
  const { train, heldOut } = stratifiedSplit(labels, validationShare, seed);
  return { fit: Int32Array.from(train), valid: Int32Array.from(heldOut) };
}

function bagRows(bag: Bag, rows: Int32Array, rowLabels: Uint8Array, intercept: number) {
  return {
    fit: gatherRows(rows, bag.fit),
    valid: gatherRows(rows, bag.valid),
    fitLabels: gather(rowLabels, bag.fit) as Uint8Array,
    validLabels: gather(rowLabels, bag.valid) as Uint8Array,
    fitLogits: new Float64Array(bag.fit.length).fill(intercept),
    validLogits: new Float64Array(bag.valid.length).fill(intercept),
  };
}

function gatherRows(rows: Int32Array, positions: Int32Array): Int32Array {
  return positions.map((k) => rows[k]!);
}

function mainTerm(binned: BinnedTable, i: number, fit: Int32Array, valid: Int32Array): BoostedTerm {
  const ordered = binned.specs[i]!.role === "numeric";
  return { kind: "main", cells: binned.bins[i]!, fitCells: gather(binned.codes[i]!, fit), validCells: gather(binned.codes[i]!, valid), ordered };
}

/** The best pairs by FAST on the residuals of the averaged main effects of all the rows (EBM's own choice). */
function topFastPairs(binned: BinnedTable, grids: CoarseInput[], rows: Int32Array, rowLabels: Uint8Array, intercept: number, mains: Float64Array[], s: BaggingSettings): Array<[number, number]> {
  const logits = new Float64Array(rows.length).fill(intercept);
  mains.forEach((table, i) => addTable(logits, binned.codes[i]!, rows, table));
  const { grad, hess } = gradients(logits, rowLabels);
  const codes = grids.map((g) => g.codes);
  const groups = grids.map((g) => g.groups);
  return distinctPairs(rankPairs(codes, groups, rows, grad, hess, s), sameInformation(codes, groups), Math.round(s.pairsPerInput * binned.specs.length));
}

function addTable(logits: Float64Array, codes: ArrayLike<number>, rows: Int32Array, table: Float64Array): void {
  for (let k = 0; k < rows.length; k++) logits[k]! += table[codes[rows[k]!]!]!;
}

function average(perBag: Float64Array[][]): Float64Array[] {
  const [first] = perBag;
  if (!first) return [];
  return first.map((_, t) => {
    const mean = new Float64Array(first[t]!.length);
    for (const tables of perBag) for (let c = 0; c < mean.length; c++) mean[c]! += tables[t]![c]! / perBag.length;
    return mean;
  });
}

function baseLogit(labels: Uint8Array): number {
  let positives = 0;
  for (const y of labels) positives += y;
  const rate = positives / labels.length;
  return Math.log(rate / (1 - rate));
}
