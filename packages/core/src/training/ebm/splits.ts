/**
 * Newton-step regression trees on histograms of gradients (G), hessians (H) and row counts (C) per
 * bin: the small trees each boosting step adds to one term. Main terms split an ordered line of
 * bins into a few contiguous leaves; pair terms split a grid with one cut on the first input and
 * one cut on the second input per side (four rectangles at most, as in EBM and FAST).
 */

export interface Histogram {
  G: Float64Array;
  H: Float64Array;
  C: Int32Array;
}

export interface TreeSettings {
  /** A leaf covering fewer fitting rows than this is not split off. */
  minLeafRows: number;
  /** Ridge on leaf values: G²/(H + l2) is the gain, -G/(H + l2) the step. */
  l2: number;
}

/** Best split of positions [start, end) of `order`, or gain 0 when no split is allowed. */
interface Split {
  gain: number;
  /** First position of the right part. */
  at: number;
}

/**
 * Leaf value per bin (already scaled by `learningRate`) of a tree with at most `maxLeaves`
 * contiguous leaves along `order`, grown greedily by the largest gain.
 */
export function lineTree(hist: Histogram, order: ArrayLike<number>, maxLeaves: number, learningRate: number, s: TreeSettings): Float64Array {
  const segments: Array<[number, number]> = [[0, order.length]];
  while (segments.length < maxLeaves) {
    let best = { gain: 0, at: -1, segment: -1 };
    segments.forEach(([start, end], k) => {
      const split = bestLineSplit(hist, order, start, end, s);
      if (split.gain > best.gain) best = { ...split, segment: k };
    });
    if (best.segment < 0) break;
    const [start, end] = segments[best.segment]!;
    segments.splice(best.segment, 1, [start, best.at], [best.at, end]);
  }
  const delta = new Float64Array(hist.G.length);
  for (const [start, end] of segments) {
    let g = 0;
    let h = 0;
    for (let p = start; p < end; p++) (g += hist.G[order[p]!]!), (h += hist.H[order[p]!]!);
    const value = h + s.l2 > 0 ? (-learningRate * g) / (h + s.l2) : 0;
    for (let p = start; p < end; p++) delta[order[p]!] = value;
  }
  return delta;
}

function bestLineSplit(hist: Histogram, order: ArrayLike<number>, start: number, end: number, s: TreeSettings): Split {
  let g = 0;
  let h = 0;
  let c = 0;
  for (let p = start; p < end; p++) (g += hist.G[order[p]!]!), (h += hist.H[order[p]!]!), (c += hist.C[order[p]!]!);
  const parent = score(g, h, s.l2);
  let best: Split = { gain: 0, at: -1 };
  let gl = 0;
  let hl = 0;
  let cl = 0;
  for (let p = start; p < end - 1; p++) {
    const b = order[p]!;
    (gl += hist.G[b]!), (hl += hist.H[b]!), (cl += hist.C[b]!);
    if (cl < s.minLeafRows) continue;
    if (c - cl < s.minLeafRows) break;
    const gain = score(gl, hl, s.l2) + score(g - gl, h - hl, s.l2) - parent;
    if (gain > best.gain) best = { gain, at: p + 1 };
  }
  return best;
}

function score(g: number, h: number, l2: number): number {
  return h + l2 > 0 ? (g * g) / (h + l2) : 0;
}

/** A cut of the grid: the first input splits at `cut` (rows below / from it), each side then splits the second input. */
export interface GridSplit {
  gain: number;
  /** true when the first cut is on the grid's second input (columns). */
  transposed: boolean;
  cut: number;
  lowSide: number;
  highSide: number;
}

/**
 * Leaf value per cell of a `rows x cols` grid (row-major, as pair tables are stored), from the best
 * four-rectangle tree, scaled by `learningRate`; all zeros when no cut is allowed.
 */
export function gridTree(hist: Histogram, rows: number, cols: number, learningRate: number, s: TreeSettings): Float64Array {
  const byRows = bestGridSplit(hist, rows, cols, false, s);
  const byCols = bestGridSplit(hist, rows, cols, true, s);
  const best = byCols.gain > byRows.gain ? byCols : byRows;
  const delta = new Float64Array(rows * cols);
  if (best.gain <= 0) return delta;
  const leafOf = (r: number, c: number) => {
    const [a, b] = best.transposed ? [c, r] : [r, c];
    return a < best.cut ? (b < best.lowSide ? 0 : 1) : b < best.highSide ? 2 : 3;
  };
  const g = new Float64Array(4);
  const h = new Float64Array(4);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) (g[leafOf(r, c)]! += hist.G[r * cols + c]!), (h[leafOf(r, c)]! += hist.H[r * cols + c]!);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const leaf = leafOf(r, c);
      delta[r * cols + c] = h[leaf]! + s.l2 > 0 ? (-learningRate * g[leaf]!) / (h[leaf]! + s.l2) : 0;
    }
  }
  return delta;
}

/**
 * Best first cut along one axis with the best second-axis cut on each side, in O(rows x cols):
 * the side marginals are running sums as the first cut moves. Allocates only its scratch lines.
 */
export function bestGridSplit(hist: Histogram, rows: number, cols: number, transposed: boolean, s: TreeSettings): GridSplit {
  const [outer, inner] = transposed ? [cols, rows] : [rows, cols];
  const [outerStride, innerStride] = transposed ? [1, cols] : [cols, 1];
  const total = newLine(inner);
  for (let o = 0; o < outer; o++) addLine(total, hist, o * outerStride, innerStride, inner);
  sideSplit(total, inner, s);
  const allRows = sideRows;
  const parent = sideParent;
  const low = newLine(inner);
  const high = newLine(inner);
  let best: GridSplit = { gain: 0, transposed, cut: 0, lowSide: 0, highSide: 0 };
  let lowRows = 0;
  for (let o = 0; o < outer - 1; o++) {
    addLine(low, hist, o * outerStride, innerStride, inner);
    for (let i = 0; i < inner; i++) lowRows += hist.C[o * outerStride + i * innerStride]!;
    if (lowRows < s.minLeafRows) continue;
    if (allRows - lowRows < s.minLeafRows) break;
    for (let i = 0; i < inner; i++) (high.G[i] = total.G[i]! - low.G[i]!), (high.H[i] = total.H[i]! - low.H[i]!), (high.C[i] = total.C[i]! - low.C[i]!);
    const l = sideSplit(low, inner, s);
    const lowAt = sideAt;
    const r = sideSplit(high, inner, s);
    const gain = l + r - parent;
    if (gain > best.gain) best = { gain, transposed, cut: o + 1, lowSide: lowAt, highSide: sideAt };
  }
  return best;
}

function newLine(n: number): Histogram {
  return { G: new Float64Array(n), H: new Float64Array(n), C: new Int32Array(n) };
}

function addLine(line: Histogram, hist: Histogram, offset: number, stride: number, n: number): void {
  for (let i = 0, c = offset; i < n; i++, c += stride) (line.G[i]! += hist.G[c]!), (line.H[i]! += hist.H[c]!), (line.C[i]! += hist.C[c]!);
}

// sideSplit's other results, kept in module scope so the hot loop allocates nothing.
let sideAt = 0;
let sideRows = 0;
let sideParent = 0;

/**
 * Best single cut of a line of bins, or none (one leaf): returns the children's G²/H sum and sets
 * `sideAt` (first bin of the upper part, 0 for no cut), `sideRows` and `sideParent`.
 */
function sideSplit(line: Histogram, n: number, s: TreeSettings): number {
  let g = 0;
  let h = 0;
  let c = 0;
  for (let i = 0; i < n; i++) (g += line.G[i]!), (h += line.H[i]!), (c += line.C[i]!);
  const parent = score(g, h, s.l2);
  let best = parent;
  let at = 0;
  let gl = 0;
  let hl = 0;
  let cl = 0;
  for (let i = 0; i < n - 1; i++) {
    (gl += line.G[i]!), (hl += line.H[i]!), (cl += line.C[i]!);
    if (cl < s.minLeafRows) continue;
    if (c - cl < s.minLeafRows) break;
    const sc = score(gl, hl, s.l2) + score(g - gl, h - hl, s.l2);
    if (sc > best) (best = sc), (at = i + 1);
  }
  (sideAt = at), (sideRows = c), (sideParent = parent);
  return best;
}
