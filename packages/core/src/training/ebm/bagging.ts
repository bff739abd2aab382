import { mulberry32, shuffled, stratifiedSplit } from "../split.ts";
import type { BinCodes, BinnedTable } from "./binning.ts";
import type { BoostedTerm, BoostSettings } from "./boosting.ts";
import { boostTerms } from "./boosting.ts";
import type { PairGrid } from "./pairs.ts";
import { gather, pairGrid, rankPairs, sameInformation } from "./pairs.ts";

export interface BaggingSettings extends BoostSettings {
  /** Outer bags: each boosts on its own fitting/validation split; the tables are averaged. */
  bags: number;
  /** Share of a bag's rows kept aside for early stopping (stratified). */
  validationShare: number;
  /** Pair terms, the best by FAST rank: at most this many per input (EBM's default: 0.9). */
  pairsPerInput: number;
  /**
   * Boost a pair only when its FAST gain beats the best gain on residuals shuffled across rows
   * (`noiseGain`). Off by default: see docs/MODEL.md for what it wins (small tables) and costs
   * (Telco keeps no pair at all, so no pair reasons).
   */
  pairsBeatNoise: boolean;
  /** Groups per input on a pair term's grid (see `pairGrid`). */
  pairBins: number;
  seed: number;
}

export interface BaggedTerms {
  intercept: number;
  /** Averaged main-effect table per input (length = bins of the input). */
  mains: Float64Array[];
  pairs: Array<{ inputs: [number, number]; table: Float64Array }>;
  /** Sum and count of each row's log-odds from the bags where it was a validation row (index as `rows`). */
  outOfBag: { sum: Float64Array; count: Uint16Array };
  /** Rounds each bag boosted before its best validation loss, per stage. */
  rounds: { mains: number[]; pairs: number[] };
}

export type StageProgress = (stage: "mains" | "pairs", done: number) => void;

/**
 * EBM's two stages on the given rows, each bagged: (1) main effects boosted cyclically until early
 * stopping, (2) the best pairs by FAST on the residuals of the averaged main effects, boosted as
 * grid terms on top of each bag's own main effects. `done` counts finished bag-stages.
 */
export function fitBaggedTerms(binned: BinnedTable, labels: Uint8Array, rows: Int32Array, settings: BaggingSettings, progress: StageProgress): BaggedTerms {
  const rowLabels = gather(labels, rows) as Uint8Array;
  const intercept = baseLogit(rowLabels);
  const bags = Array.from({ length: settings.bags }, (_, b) => bagSplit(rowLabels, settings.validationShare, settings.seed + 7919 * (b + 1)));
  const inputs = binned.specs.map((_, i) => i);
  const mainsPerBag = bags.map((bag, b) => {
    const rowsOf = bagRows(bag, rows, rowLabels, intercept);
    const terms = inputs.map((i) => mainTerm(binned, i, rowsOf.fit, rowsOf.valid));
    const result = boostTerms(terms, rowsOf, settings);
    progress("mains", b + 1);
    return result;
  });
  const mains = average(mainsPerBag.map((r) => r.tables));
  const grids = coarseGrids(binned, settings.pairBins);
  const chosen = choosePairs(binned, grids, rows, rowLabels, intercept, mains, settings);
  const outOfBag = { sum: new Float64Array(rows.length), count: new Uint16Array(rows.length) };
  const pairsPerBag = bags.map((bag, b) => {
    const rowsOf = bagRows(bag, rows, rowLabels, intercept);
    inputs.forEach((i) => {
      addTable(rowsOf.fitLogits, binned.codes[i]!, rowsOf.fit, mainsPerBag[b]!.tables[i]!);
      addTable(rowsOf.validLogits, binned.codes[i]!, rowsOf.valid, mainsPerBag[b]!.tables[i]!);
    });
    const terms = chosen.map((p) => pairTerm(grids, p, rowsOf.fit, rowsOf.valid));
    const result = boostTerms(terms, rowsOf, settings);
    bag.valid.forEach((k, v) => ((outOfBag.sum[k]! += rowsOf.validLogits[v]!), outOfBag.count[k]!++));
    progress("pairs", b + 1);
    return result;
  });
  const pairTables = average(pairsPerBag.map((r) => r.tables));
  return {
    intercept,
    mains,
    pairs: chosen.map((inputs, p) => ({ inputs, table: spreadOverBins(binned, grids, inputs, pairTables[p]!) })),
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

/** Each input's pair grid and every row's group on it. */
interface CoarseInput extends PairGrid {
  codes: BinCodes;
}

function coarseGrids(binned: BinnedTable, pairBins: number): CoarseInput[] {
  return binned.codes.map((codes, i) => {
    const grid = pairGrid(codes, binned.bins[i]!, binned.specs[i]!.role === "numeric", pairBins);
    return { ...grid, codes: codes.map((b) => grid.group[b]!) };
  });
}

function pairTerm(grids: CoarseInput[], [i, j]: [number, number], fit: Int32Array, valid: Int32Array): BoostedTerm {
  const [a, b] = [grids[i]!, grids[j]!];
  const cellsOf = (rows: Int32Array) => {
    const out = new Uint16Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = a.codes[rows[k]!]! * b.groups + b.codes[rows[k]!]!;
    return out;
  };
  return { kind: "pair", rows: a.groups, cols: b.groups, cells: a.groups * b.groups, fitCells: cellsOf(fit), validCells: cellsOf(valid) };
}

/** A pair table on the groups' grid, as the table over the two inputs' own bins that the model stores. */
function spreadOverBins(binned: BinnedTable, grids: CoarseInput[], [i, j]: [number, number], grouped: Float64Array): Float64Array {
  const [rows, cols] = [binned.bins[i]!, binned.bins[j]!];
  const table = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) table[r * cols + c] = grouped[grids[i]!.group[r]! * grids[j]!.groups + grids[j]!.group[c]!]!;
  return table;
}

function choosePairs(binned: BinnedTable, grids: CoarseInput[], rows: Int32Array, rowLabels: Uint8Array, intercept: number, mains: Float64Array[], s: BaggingSettings): Array<[number, number]> {
  const wanted = Math.round(s.pairsPerInput * binned.specs.length);
  if (wanted <= 0) return [];
  const logits = new Float64Array(rows.length).fill(intercept);
  mains.forEach((table, i) => addTable(logits, binned.codes[i]!, rows, table));
  const grad = new Float64Array(rows.length);
  const hess = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const p = 1 / (1 + Math.exp(-logits[k]!));
    (grad[k] = p - rowLabels[k]!), (hess[k] = p * (1 - p));
  }
  const codes = grids.map((g) => g.codes);
  const groups = grids.map((g) => g.groups);
  const same = sameInformation(codes, groups);
  const noise = s.pairsBeatNoise ? noiseGain(codes, groups, rows, grad, hess, s) : 0;
  const chosen: Array<[number, number]> = [];
  const seen = new Set<string>();
  for (const { inputs, gain } of rankPairs(codes, groups, rows, grad, hess, s)) {
    if (chosen.length >= wanted || gain <= noise) break;
    const [a, b] = inputs.map((i) => same[i]!).sort((x, y) => x - y) as [number, number];
    if (a === b || seen.has(`${a},${b}`)) continue;
    seen.add(`${a},${b}`), chosen.push(inputs);
  }
  return chosen;
}

/**
 * The best FAST gain any pair reaches when the residuals are shuffled across rows: what the
 * search finds in pure noise. A pair must beat it to be boosted, so a table without real
 * interactions (small or nearly additive data) gets few or no pair terms to overfit.
 */
function noiseGain(codes: BinCodes[], groups: number[], rows: Int32Array, grad: Float64Array, hess: Float64Array, s: BaggingSettings): number {
  const order = Int32Array.from(shuffled(Array.from(rows.keys()), mulberry32(s.seed)));
  const [best] = rankPairs(codes, groups, rows, Float64Array.from(order, (k) => grad[k]!), Float64Array.from(order, (k) => hess[k]!), s);
  return best?.gain ?? 0;
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
