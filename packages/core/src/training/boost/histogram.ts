import type { BinCodes } from "./binning.ts";

/**
 * Gradient histograms of the rows of a tree node: for every bin of every input, the sum of the
 * rows' gradients, hessians and their count, interleaved (`[g, h, c]` per bin) so one row's update
 * touches one cache line. Inputs sit one after another (`offsets`), so a node's histogram is one
 * flat Float64Array and a child's is its parent's minus its sibling's (histogram subtraction).
 */
export interface Layout {
  /** Bins of each input. */
  bins: Int32Array;
  /** First bin of input f in a histogram. */
  offsets: Int32Array;
  /** Bins of all inputs together. */
  totalBins: number;
}

/** The layout of inputs with these bin counts. */
export function layoutOf(bins: readonly number[]): Layout {
  const offsets = new Int32Array(bins.length);
  let total = 0;
  bins.forEach((b, f) => {
    offsets[f] = total;
    total += b;
  });
  return { bins: Int32Array.from(bins), offsets, totalBins: total };
}

/** An empty histogram of a layout. */
export function newHistogram(layout: Layout): Float64Array {
  return new Float64Array(3 * layout.totalBins);
}

/**
 * Adds `rows` (positions into `codes[f]`, `grad`, `hess`; all positions when null) to `out` for
 * each input in `inputs`. Input-major: each pass reads one code column in order. Every row's counts
 * never change between trees: `rootCounts` (from `countRows`) are copied in instead of counted.
 */
export function fillHistogram(
  out: Float64Array,
  layout: Layout,
  codes: readonly BinCodes[],
  inputs: readonly number[],
  rows: Int32Array | null,
  grad: Float64Array,
  hess: Float64Array,
  rootCounts?: Float64Array,
): void {
  if (rows === null) for (let bin = 0; bin < layout.totalBins; bin++) out[3 * bin + 2] = rootCounts![bin]!;
  for (const f of inputs) {
    const column = codes[f]!;
    const base = 3 * layout.offsets[f]!;
    if (rows === null) {
      for (let k = 0; k < column.length; k++) {
        const b = base + 3 * column[k]!;
        out[b]! += grad[k]!;
        out[b + 1]! += hess[k]!;
      }
    } else {
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        const b = base + 3 * column[r]!;
        out[b]! += grad[r]!;
        out[b + 1]! += hess[r]!;
        out[b + 2]! += 1;
      }
    }
  }
}

/** `out = parent - child` over the bins of `inputs`: the sibling's histogram without a pass over its rows. */
export function subtractHistogram(
  out: Float64Array,
  parent: Float64Array,
  child: Float64Array,
  layout: Layout,
  inputs: readonly number[],
): void {
  for (const f of inputs) {
    const end = 3 * (layout.offsets[f]! + layout.bins[f]!);
    for (let b = 3 * layout.offsets[f]!; b < end; b++) out[b] = parent[b]! - child[b]!;
  }
}

/** Rows per bin of every input over all of `codes` (the root's counts, which `fillHistogram` copies). */
export function countRows(layout: Layout, codes: readonly BinCodes[]): Float64Array {
  const counts = new Float64Array(layout.totalBins);
  codes.forEach((column, f) => {
    for (let k = 0; k < column.length; k++) counts[layout.offsets[f]! + column[k]!]! += 1;
  });
  return counts;
}
