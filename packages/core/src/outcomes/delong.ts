/**
 * AUC with DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988), computed from midranks as in
 * Sun & Xu 2014 ("Fast implementation of DeLong's algorithm"): O(n log n), ties count one half,
 * so the AUC is exactly the Mann–Whitney statistic.
 */
export interface AucEstimate {
  auc: number;
  /** DeLong variance of the AUC estimate. */
  variance: number;
  /** Structural components, kept so two scores on the same rows can be compared (`compareAucs`). */
  positiveComponents: Float64Array;
  negativeComponents: Float64Array;
}

/** 97.5th percentile of the standard normal: a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

export function delongAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): AucEstimate {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? positives : negatives).push(scores[i]!);
  const m = positives.length;
  const n = negatives.length;
  const rankInPositives = midranks(positives);
  const rankInNegatives = midranks(negatives);
  const rankInAll = midranks([...positives, ...negatives]);
  // V10[i]: share of negatives a positive outranks; V01[j]: share of positives that outrank a negative.
  const positiveComponents = Float64Array.from(positives, (_, i) => (rankInAll[i]! - rankInPositives[i]!) / n);
  const negativeComponents = Float64Array.from(negatives, (_, j) => 1 - (rankInAll[m + j]! - rankInNegatives[j]!) / m);
  const auc = mean(positiveComponents);
  return {
    auc,
    variance: sampleVariance(positiveComponents) / m + sampleVariance(negativeComponents) / n,
    positiveComponents,
    negativeComponents,
  };
}

/** The AUC's 95% interval from its DeLong variance, clipped to [0, 1]. */
export function aucInterval(estimate: Pick<AucEstimate, "auc" | "variance">): [number, number] {
  const half = Z_95 * Math.sqrt(estimate.variance);
  return [Math.max(0, estimate.auc - half), Math.min(1, estimate.auc + half)];
}

/**
 * B's AUC minus A's, scored on the same rows, with the 95% interval of the difference from DeLong's
 * covariance (the two scores' components are paired row by row).
 */
export function compareAucs(a: AucEstimate, b: AucEstimate): { difference: number; interval: [number, number] } {
  const m = a.positiveComponents.length;
  const n = a.negativeComponents.length;
  const variance =
    (sampleVariance(a.positiveComponents) +
      sampleVariance(b.positiveComponents) -
      2 * sampleCovariance(a.positiveComponents, b.positiveComponents)) /
      m +
    (sampleVariance(a.negativeComponents) +
      sampleVariance(b.negativeComponents) -
      2 * sampleCovariance(a.negativeComponents, b.negativeComponents)) /
      n;
  const difference = b.auc - a.auc;
  const half = Z_95 * Math.sqrt(Math.max(0, variance));
  return { difference, interval: [difference - half, difference + half] };
}

/** 1-based ranks, tied values sharing the mean of their ranks. */
function midranks(values: readonly number[]): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!] = rank;
    start = end + 1;
  }
  return ranks;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function sampleVariance(values: Float64Array): number {
  return sampleCovariance(values, values);
}

function sampleCovariance(a: Float64Array, b: Float64Array): number {
  if (a.length < 2) return 0;
  const ma = mean(a);
  const mb = mean(b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - ma) * (b[i]! - mb);
  return sum / (a.length - 1);
}
