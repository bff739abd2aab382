import type { BinCodes, BinnedTable } from "./binning.ts";
import type { BoostedTerm } from "./boosting.ts";
import type { Histogram, TreeSettings } from "./splits.ts";
import { bestGridSplit } from "./splits.ts";

export interface RankedPair {
  inputs: [number, number];
  /** Log-loss gain (Newton approximation) of the best four-rectangle tree on the residuals. */
  gain: number;
}

/**
 * FAST (Lou et al., 2013): ranks every pair of inputs by how much one small tree on their grid
 * would reduce the loss left by the main effects, from a gradient/hessian histogram per pair: one
 * pass over the rows per pair, then O(bins²) to search the cuts. Best first; ties by input order.
 *
 * `grad`/`hess` are indexed like `rows` (the residuals of the fitted main effects).
 */
export function rankPairs(codes: BinCodes[], bins: number[], rows: Int32Array, grad: Float64Array, hess: Float64Array, s: TreeSettings): RankedPair[] {
  const local = codes.map((column) => gather(column, rows));
  const ranked: RankedPair[] = [];
  for (let i = 0; i < codes.length; i++) {
    for (let j = i + 1; j < codes.length; j++) {
      const hist = pairHistogram(local[i]!, local[j]!, bins[i]!, bins[j]!, grad, hess);
      const gain = Math.max(bestGridSplit(hist, bins[i]!, bins[j]!, false, s).gain, bestGridSplit(hist, bins[i]!, bins[j]!, true, s).gain);
      ranked.push({ inputs: [i, j], gain });
    }
  }
  return ranked.sort((a, b) => b.gain - a.gain || a.inputs[0] - b.inputs[0] || a.inputs[1] - b.inputs[1]);
}

function pairHistogram(a: BinCodes, b: BinCodes, rowsA: number, colsB: number, grad: Float64Array, hess: Float64Array): Histogram {
  const cells = rowsA * colsB;
  const hist = { G: new Float64Array(cells), H: new Float64Array(cells), C: new Int32Array(cells) };
  for (let k = 0; k < a.length; k++) {
    const c = a[k]! * colsB + b[k]!;
    hist.G[c]! += grad[k]!;
    hist.H[c]! += hess[k]!;
    hist.C[c]!++;
  }
  return hist;
}

/** `column[rows[k]]` for every k, in a typed array of the same width. */
export function gather(column: BinCodes, rows: Int32Array): BinCodes {
  const out = column instanceof Uint8Array ? new Uint8Array(rows.length) : new Uint16Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = column[rows[k]!]!;
  return out;
}

/** How an input's bins merge into the coarser groups a pair term is boosted on. */
export interface PairGrid {
  /** Group of each bin of the input. */
  group: Uint8Array;
  groups: number;
}

/**
 * Groups an input's bins for pair terms (EBM boosts pairs on fewer bins than mains: a grid of
 * fine bins has too few rows per cell, and the cut search is quadratic in bins). Numeric: blank
 * alone, then contiguous groups of about equal row counts; categorical: the most frequent levels
 * alone, the rest together. The pair's table is later spread back over the input's own bins.
 */
export function pairGrid(codes: BinCodes, bins: number, ordered: boolean, maxGroups: number): PairGrid {
  if (bins <= maxGroups) return { group: Uint8Array.from({ length: bins }, (_, b) => b), groups: bins };
  const counts = new Float64Array(bins);
  for (let k = 0; k < codes.length; k++) counts[codes[k]!]!++;
  const group = new Uint8Array(bins);
  if (!ordered) {
    const frequent = [...counts.keys()].sort((a, b) => counts[b]! - counts[a]! || a - b).slice(0, maxGroups - 1).sort((a, b) => a - b);
    group.fill(maxGroups - 1);
    frequent.forEach((b, g) => (group[b] = g));
    return { group, groups: maxGroups };
  }
  let remainingRows = codes.length - counts[0]!;
  let inGroup = 0;
  let g = 1;
  for (let b = 1; b < bins; b++) {
    group[b] = g;
    inGroup += counts[b]!;
    if (g < maxGroups - 1 && inGroup >= remainingRows / (maxGroups - g)) (remainingRows -= inGroup), (inGroup = 0), g++;
  }
  return { group, groups: group[bins - 1]! + 1 };
}

/** Share of rows that must follow a one-to-one map between two inputs' groups for them to count as the same information. */
const SAME_INFORMATION_SHARE = 0.95;

/**
 * For each input, the first input carrying the same information on the pair grid (itself when
 * none): e.g. a charge that is a fixed rate times minutes. A pair of such twins repeats another
 * pair's table under a new name and would take a pair slot for nothing.
 */
export function sameInformation(codes: BinCodes[], groups: number[]): Int32Array {
  const representative = Int32Array.from(codes, (_, i) => i);
  for (let j = 0; j < codes.length; j++) {
    for (let i = 0; i < j; i++) {
      if (representative[i] !== i) continue;
      if (follows(codes[i]!, groups[i]!, codes[j]!, groups[j]!) && follows(codes[j]!, groups[j]!, codes[i]!, groups[i]!)) {
        representative[j] = i;
        break;
      }
    }
  }
  return representative;
}

/** Whether b's group is (nearly always) a function of a's group: rows off the most common b per a group are few. */
function follows(a: BinCodes, groupsA: number, b: BinCodes, groupsB: number): boolean {
  const counts = new Int32Array(groupsA * groupsB);
  for (let k = 0; k < a.length; k++) counts[a[k]! * groupsB + b[k]!]!++;
  let onMap = 0;
  for (let g = 0; g < groupsA; g++) {
    let most = 0;
    for (let h = 0; h < groupsB; h++) most = Math.max(most, counts[g * groupsB + h]!);
    onMap += most;
  }
  return onMap >= SAME_INFORMATION_SHARE * a.length;
}

/** Each input's pair grid and every row's group on it. */
export interface CoarseInput extends PairGrid {
  codes: BinCodes;
}

export function coarseGrids(binned: BinnedTable, pairBins: number): CoarseInput[] {
  return binned.codes.map((codes, i) => {
    const grid = pairGrid(codes, binned.bins[i]!, binned.specs[i]!.role === "numeric", pairBins);
    return { ...grid, codes: codes.map((b) => grid.group[b]!) };
  });
}

export function pairTerm(grids: CoarseInput[], [i, j]: [number, number], fit: Int32Array, valid: Int32Array): BoostedTerm {
  const [a, b] = [grids[i]!, grids[j]!];
  const cellsOf = (rows: Int32Array) => {
    const out = new Uint16Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = a.codes[rows[k]!]! * b.groups + b.codes[rows[k]!]!;
    return out;
  };
  return { kind: "pair", rows: a.groups, cols: b.groups, cells: a.groups * b.groups, fitCells: cellsOf(fit), validCells: cellsOf(valid) };
}

/** A pair table on the groups' grid, as the table over the two inputs' own bins that the model stores. */
export function spreadOverBins(binned: BinnedTable, grids: CoarseInput[], [i, j]: [number, number], grouped: Float64Array): Float64Array {
  const [rows, cols] = [binned.bins[i]!, binned.bins[j]!];
  const table = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) table[r * cols + c] = grouped[grids[i]!.group[r]! * grids[j]!.groups + grids[j]!.group[c]!]!;
  return table;
}

