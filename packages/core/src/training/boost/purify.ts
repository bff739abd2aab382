import type { BinnedTable } from "./binning.ts";

/** Sweeps of row and column means; each halves what is left of the marginals or better. */
const SWEEPS = 20;

/**
 * Moves the main effects hidden in a pair table into the two inputs' main tables (EBM's
 * "purification", Lengerich et al. 2020): row and column means, weighted by the fitted rows in each
 * cell, are subtracted from the pair and added to the mains until the pair has no marginal left.
 * Every cell's sum main[a] + main[b] + pair[a, b] is unchanged, so the model and its exactness are
 * too; the pair then says only what the two inputs do together, and reasons stop restating a main
 * effect inside a pair.
 */
export function purifyPair(pair: Float64Array, mainA: Float64Array, mainB: Float64Array, weights: Float64Array): void {
  const rows = mainA.length;
  const cols = mainB.length;
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    let moved = 0;
    for (let a = 0; a < rows; a++) moved += moveMean(pair, weights, a * cols, 1, cols, mainA, a);
    for (let b = 0; b < cols; b++) moved += moveMean(pair, weights, b, cols, rows, mainB, b);
    if (moved < 1e-12) break;
  }
}

/** Subtracts the weighted mean of a line of cells from the whole line (seen or not) and adds it to `main[at]`. */
function moveMean(
  pair: Float64Array,
  weights: Float64Array,
  start: number,
  stride: number,
  n: number,
  main: Float64Array,
  at: number,
): number {
  let sum = 0;
  let weight = 0;
  for (let k = 0, c = start; k < n; k++, c += stride) {
    sum += weights[c]! * pair[c]!;
    weight += weights[c]!;
  }
  if (weight === 0) return 0;
  const mean = sum / weight;
  for (let k = 0, c = start; k < n; k++, c += stride) pair[c]! -= mean;
  main[at]! += mean;
  return Math.abs(mean);
}

/** Fitted rows per cell of the pair (a, b): the weights of `purifyPair`. */
export function cellWeights(binned: BinnedTable, [a, b]: [number, number], rows: Int32Array): Float64Array {
  const cols = binned.bins[b]!;
  const weights = new Float64Array(binned.bins[a]! * cols);
  const [ca, cb] = [binned.codes[a]!, binned.codes[b]!];
  for (const r of rows) weights[ca[r]! * cols + cb[r]!]! += 1;
  return weights;
}
