/**
 * The trained model: additive in the raw columns, so a prediction's log-odds is exactly
 * `intercept + Σ contributions` and every contribution belongs to one customer-facing column.
 *
 *   numeric column x:     z = (impute(x) - center) / scale
 *                         f(x) = w0·z + Σ_k w_k·max(0, z - knot_k)     (a linear spline in z)
 *   categorical column c: f(c) = weight of c (an unseen or blank category reads as average, f = baseline)
 *   contribution = f(x) - baseline,  baseline = mean of f over the training rows
 *
 * The ONNX graph (onnx-export.ts) computes the same thing in float32; `scoreRow` is the float64
 * reference the export is tested against.
 */
export interface NumericTerm {
  name: string;
  type: "float";
  /** Raw value used for a blank/NaN cell (the training mean). */
  impute: number;
  center: number;
  scale: number;
  /** Spline knots on the standardized scale, ascending. */
  knots: number[];
  /** [linear, ...one per knot] */
  weights: number[];
  baseline: number;
}

export interface CategoricalTerm {
  name: string;
  type: "string";
  categories: string[];
  /** One per category. */
  weights: number[];
  baseline: number;
}

export type Term = NumericTerm | CategoricalTerm;

export interface AdditiveModel {
  /** Log-odds of a customer whose every column sits at its training-mean contribution. */
  intercept: number;
  terms: Term[];
}

/** A raw cell: a string for categoricals, a number (NaN when blank) for numerics. */
export type RawCell = string | number;

/** float64 reference scoring of one row (cells in `model.terms` order). */
export function scoreRow(model: AdditiveModel, cells: readonly RawCell[]): { probability: number; contributions: number[] } {
  const contributions = model.terms.map((term, j) => termContribution(term, cells[j]!));
  const logit = contributions.reduce((sum, c) => sum + c, model.intercept);
  return { probability: sigmoid(logit), contributions };
}

export function termContribution(term: Term, cell: RawCell): number {
  if (term.type === "string") {
    const k = term.categories.indexOf(String(cell));
    return k < 0 ? 0 : term.weights[k]! - term.baseline;
  }
  return numericValue(term, Number(cell)) - term.baseline;
}

/** f(x) of a numeric term before the baseline is subtracted. */
export function numericValue(term: Pick<NumericTerm, "impute" | "center" | "scale" | "knots" | "weights">, x: number): number {
  const z = ((Number.isNaN(x) ? term.impute : x) - term.center) / term.scale;
  let f = term.weights[0]! * z;
  term.knots.forEach((knot, k) => (f += term.weights[k + 1]! * Math.max(0, z - knot)));
  return f;
}

export function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}
