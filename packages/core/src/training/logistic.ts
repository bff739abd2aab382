import type { SparseRow } from "./features.ts";

/**
 * L2-penalised logistic regression by Newton's method (IRLS). The design is narrow (~60 columns),
 * so each step forms the full Hessian from sparse rows and solves it by Cholesky: 6–10 steps reach
 * machine precision, with no learning rate to tune and no randomness (the fit is deterministic).
 * The intercept (column 0) is not penalised.
 */
export interface LogisticFitOptions {
  /** Penalty λ in  Σ logloss + λ/2·‖w‖²  (sklearn's C = 1/λ). */
  lambda: number;
  /** Warm start (e.g. the fit at a neighbouring λ). */
  initial?: Float64Array;
  maxIterations?: number;
  /** Stop when the largest Newton step is below this. */
  tolerance?: number;
}

/** Largest change of any weight per Newton step, in log-odds per standardized unit. */
const MAX_STEP = 4;

export function fitLogistic(rows: SparseRow[], labels: ArrayLike<number>, width: number, options: LogisticFitOptions): Float64Array {
  const { lambda, maxIterations = 50, tolerance = 1e-10 } = options;
  const w = options.initial ? Float64Array.from(options.initial) : new Float64Array(width);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const { gradient, hessian } = newtonSystem(rows, labels, w, lambda);
    const step = solveCholesky(hessian, gradient, width);
    const largest = step.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    // Damping: a pure Newton step from a poor start can overshoot on nearly separable data
    // (other customers' files); capping it keeps the iteration monotone in practice.
    const damping = largest > MAX_STEP ? MAX_STEP / largest : 1;
    for (let k = 0; k < width; k++) w[k]! -= damping * step[k]!;
    if (largest < tolerance) break;
  }
  return w;
}

/** Linear predictor of one sparse row. */
export function linearPredictor(row: SparseRow, w: Float64Array): number {
  let t = 0;
  for (let a = 0; a < row.index.length; a++) t += w[row.index[a]!]! * row.value[a]!;
  return t;
}

function newtonSystem(rows: SparseRow[], labels: ArrayLike<number>, w: Float64Array, lambda: number) {
  const width = w.length;
  const gradient = new Float64Array(width);
  const hessian = new Float64Array(width * width);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const p = 1 / (1 + Math.exp(-linearPredictor(row, w)));
    const residual = p - labels[i]!;
    const curvature = p * (1 - p);
    for (let a = 0; a < row.index.length; a++) {
      const ia = row.index[a]!;
      const va = row.value[a]!;
      gradient[ia]! += residual * va;
      const scaled = curvature * va;
      // Upper triangle only; mirrored below. Row indexes are ascending, so ib >= ia.
      for (let b = a; b < row.index.length; b++) hessian[ia * width + row.index[b]!]! += scaled * row.value[b]!;
    }
  }
  for (let k = 1; k < width; k++) {
    gradient[k]! += lambda * w[k]!;
    hessian[k * width + k]! += lambda;
  }
  // A tiny ridge on the intercept keeps the system positive definite when a class is absent.
  hessian[0]! += 1e-9;
  for (let a = 0; a < width; a++) for (let b = a + 1; b < width; b++) hessian[b * width + a] = hessian[a * width + b]!;
  return { gradient, hessian };
}

/** Solves H·x = g for symmetric positive-definite H (row-major, n×n). */
function solveCholesky(h: Float64Array, g: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = h[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = g[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}
