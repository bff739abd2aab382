import type { Layout } from "./histogram.ts";

/** What a split must leave on each side, and how leaf values are shrunk. */
export interface SplitRule {
  /** A side with fewer fitting rows is not split off (scikit-learn's min_samples_leaf). */
  minLeafRows: number;
  /** A side with less hessian than this is not split off (XGBoost's min_child_weight). */
  minLeafHessian: number;
  /** Ridge on leaf values: gain G²/(H + l2), value −G/(H + l2). */
  l2: number;
  /**
   * Levels of a categorical input are ordered by G/(H + this) before the best cut is sought: a
   * level with few rows cannot jump to an end of the order on noise (LightGBM's cat_smooth).
   */
  categorySmoothing: number;
}

/** The best split of one node on one input: the bins that go left, and the gain. */
export interface Split {
  gain: number;
  input: number;
  /** 1 for every bin of `input` that goes left. */
  left: Uint8Array;
}

/** A node's totals, read off any one input's bins of its histogram. */
export function nodeTotals(hist: Float64Array, layout: Layout, input: number): { g: number; h: number; c: number } {
  let g = 0;
  let h = 0;
  let c = 0;
  const end = 3 * (layout.offsets[input]! + layout.bins[input]!);
  for (let b = 3 * layout.offsets[input]!; b < end; b += 3) {
    g += hist[b]!;
    h += hist[b + 1]!;
    c += hist[b + 2]!;
  }
  return { g, h, c };
}

/**
 * The best split of the node whose histogram is `hist` on `input`, or null when none leaves both
 * sides their rows and hessian. Numeric inputs cut their value bins (1…) at a threshold, and the
 * blank bin (0) goes to whichever side gains more, as scikit-learn and XGBoost learn a missing-value
 * direction; categorical inputs order their levels (blank and "other" included) by their smoothed
 * gradient ratio and cut that order, the optimal two-way partition for a convex loss (Fisher 1958).
 */
export function bestSplit(
  hist: Float64Array,
  layout: Layout,
  input: number,
  ordered: boolean,
  rule: SplitRule,
  total: { g: number; h: number; c: number },
): Split | null {
  return ordered ? bestThreshold(hist, layout, input, rule, total) : bestLevelCut(hist, layout, input, rule, total);
}

function gainOf(
  gl: number,
  hl: number,
  cl: number,
  total: { g: number; h: number; c: number },
  rule: SplitRule,
): number {
  const gr = total.g - gl;
  const hr = total.h - hl;
  const cr = total.c - cl;
  if (cl < rule.minLeafRows || cr < rule.minLeafRows || hl < rule.minLeafHessian || hr < rule.minLeafHessian) return 0;
  return (gl * gl) / (hl + rule.l2) + (gr * gr) / (hr + rule.l2) - (total.g * total.g) / (total.h + rule.l2);
}

function bestThreshold(
  hist: Float64Array,
  layout: Layout,
  input: number,
  rule: SplitRule,
  total: { g: number; h: number; c: number },
): Split | null {
  const bins = layout.bins[input]!;
  const base = 3 * layout.offsets[input]!;
  const [mg, mh, mc] = [hist[base]!, hist[base + 1]!, hist[base + 2]!];
  let best = 0;
  let bestAt = -1;
  let missingLeft = false;
  // at = t: value bins 1..t go left (t = 0: only the blank bin, when it goes left).
  let gl = 0;
  let hl = 0;
  let cl = 0;
  for (let t = 0; t < bins - 1; t++) {
    if (t > 0) {
      const b = base + 3 * t;
      if (hist[b + 2]! === 0) continue;
      gl += hist[b]!;
      hl += hist[b + 1]!;
      cl += hist[b + 2]!;
    }
    if (mc > 0) {
      const withMissing = gainOf(gl + mg, hl + mh, cl + mc, total, rule);
      if (withMissing > best) {
        best = withMissing;
        bestAt = t;
        missingLeft = true;
      }
    }
    if (t > 0) {
      const without = gainOf(gl, hl, cl, total, rule);
      if (without > best) {
        best = without;
        bestAt = t;
        missingLeft = false;
      }
    }
  }
  if (bestAt < 0) return null;
  const left = new Uint8Array(bins);
  left[0] = missingLeft ? 1 : 0;
  for (let b = 1; b <= bestAt; b++) left[b] = 1;
  return { gain: best, input, left };
}

function bestLevelCut(
  hist: Float64Array,
  layout: Layout,
  input: number,
  rule: SplitRule,
  total: { g: number; h: number; c: number },
): Split | null {
  const bins = layout.bins[input]!;
  const base = 3 * layout.offsets[input]!;
  const seen: number[] = [];
  for (let b = 0; b < bins; b++) if (hist[base + 3 * b + 2]! > 0) seen.push(b);
  if (seen.length < 2) return null;
  const ratio = (b: number) => hist[base + 3 * b]! / (hist[base + 3 * b + 1]! + rule.categorySmoothing);
  seen.sort((a, b) => ratio(a) - ratio(b) || a - b);
  let best = 0;
  let bestAt = -1;
  let gl = 0;
  let hl = 0;
  let cl = 0;
  for (let k = 0; k < seen.length - 1; k++) {
    const b = base + 3 * seen[k]!;
    gl += hist[b]!;
    hl += hist[b + 1]!;
    cl += hist[b + 2]!;
    const gain = gainOf(gl, hl, cl, total, rule);
    if (gain > best) {
      best = gain;
      bestAt = k;
    }
  }
  if (bestAt < 0) return null;
  // Levels this node has no rows of go right: the side of the larger ratios, like "other".
  const left = new Uint8Array(bins);
  for (let k = 0; k <= bestAt; k++) left[seen[k]!] = 1;
  return { gain: best, input, left };
}
