/**
 * Post-hoc logistic recalibration (Platt scaling on the model's own log-odds): p = σ(a·z + b).
 * Fitted on out-of-bag log-odds, so it corrects the over- or under-confidence that early stopping
 * and bag averaging leave. It keeps the model additive: scaling every table by `a` and folding `b`
 * into the intercept gives the same log-odds, so reasons stay exact.
 */
export interface Recalibration {
  /** Multiplies every table and the intercept. */
  slope: number;
  /** Added to the intercept. */
  offset: number;
}

const NEWTON_STEPS = 50;
/** A light ridge pulling (a, b) toward (1, 0): keeps the fit finite when the rows are separable. */
const RIDGE = 1e-3;

/**
 * Maximum-likelihood (a, b) of `σ(a·z + b)` for 0/1 labels, by Newton's method on the 2x2 system.
 * Works with rare positives (5%): the offset alone restores the base rate.
 *
 * @example fitRecalibration(Float64Array.of(-2, 0, 2), Uint8Array.of(0, 1, 1))
 */
export function fitRecalibration(logits: ArrayLike<number>, labels: ArrayLike<number>): Recalibration {
  let a = 1;
  let b = 0;
  for (let step = 0; step < NEWTON_STEPS; step++) {
    // Gradient and Hessian of the mean log loss plus RIDGE/2·((a-1)² + b²).
    let ga = RIDGE * (a - 1);
    let gb = RIDGE * b;
    let haa = RIDGE;
    let hab = 0;
    let hbb = RIDGE;
    const n = labels.length;
    for (let k = 0; k < n; k++) {
      const z = logits[k]!;
      const p = 1 / (1 + Math.exp(-(a * z + b)));
      const r = (p - labels[k]!) / n;
      const w = (p * (1 - p)) / n;
      ga += r * z;
      gb += r;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-12) break;
  }
  return { slope: a, offset: b };
}
