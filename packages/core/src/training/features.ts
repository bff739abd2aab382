import type { ColumnSpec } from "./dataset.ts";
import type { AdditiveModel, RawCell, Term } from "./model.ts";
import { numericValue } from "./model.ts";

/**
 * Turns raw columns into the sparse design matrix of the additive logistic model: one-hot for
 * categoricals, a standardized linear spline for numerics (column 0 is the intercept). The layout
 * is learnt from the rows it will be fitted on only, so held-out and CV scores stay honest.
 */
export type TermLayout =
  | { type: "float"; name: string; offset: number; impute: number; center: number; scale: number; knots: number[] }
  | { type: "string"; name: string; offset: number; categories: string[]; index: Map<string, number> };

export interface FeatureLayout {
  terms: TermLayout[];
  /** Design width including the intercept column 0. */
  width: number;
}

/** Rows of the design matrix, sparse: most one-hot and spline cells are zero. */
export interface SparseRow {
  index: Int32Array;
  value: Float64Array;
}

/** `knots` interior quantiles per numeric column (0 = plain linear standardized term). */
export function fitLayout(columns: ColumnSpec[], values: Array<Float64Array | string[]>, rows: number[], knots: number): FeatureLayout {
  let offset = 1;
  const terms = columns.map((column, j): TermLayout => {
    const start = offset;
    if (column.type === "string") {
      offset += column.categories.length;
      return { type: "string", name: column.name, offset: start, categories: column.categories, index: new Map(column.categories.map((c, k) => [c, k])) };
    }
    const numeric = numericStats(values[j] as Float64Array, rows, knots);
    offset += 1 + numeric.knots.length;
    return { type: "float", name: column.name, offset: start, ...numeric };
  });
  return { terms, width: offset };
}

function numericStats(column: Float64Array, rows: number[], knotCount: number) {
  const present = rows.map((r) => column[r]!).filter((x) => !Number.isNaN(x));
  const impute = present.length ? mean(present) : 0;
  const filled = rows.map((r) => (Number.isNaN(column[r]!) ? impute : column[r]!));
  const center = mean(filled);
  const sd = Math.sqrt(mean(filled.map((x) => (x - center) ** 2)));
  const scale = sd > 0 ? sd : 1;
  const z = filled.map((x) => (x - center) / scale).sort((a, b) => a - b);
  const lo = z[0] ?? 0;
  const hi = z[z.length - 1] ?? 0;
  const knots: number[] = [];
  for (let k = 1; k <= knotCount; k++) {
    const q = z[Math.floor((k / (knotCount + 1)) * (z.length - 1))]!;
    // A knot at the edge of the data, or on top of another, adds a column the data cannot fit.
    if (q > lo && q < hi && q !== knots[knots.length - 1]) knots.push(q);
  }
  return { impute, center, scale, knots };
}

/** Encodes the given rows (indexes into `values`) as sparse design rows. */
export function encodeRows(layout: FeatureLayout, values: Array<Float64Array | string[]>, rows: number[]): SparseRow[] {
  return rows.map((r) => {
    const index: number[] = [0];
    const value: number[] = [1];
    layout.terms.forEach((term, j) => {
      if (term.type === "string") {
        const k = term.index.get((values[j] as string[])[r]!);
        if (k !== undefined) (index.push(term.offset + k), value.push(1));
        return;
      }
      const x = (values[j] as Float64Array)[r]!;
      const z = ((Number.isNaN(x) ? term.impute : x) - term.center) / term.scale;
      index.push(term.offset), value.push(z);
      term.knots.forEach((knot, k) => {
        if (z > knot) index.push(term.offset + 1 + k), value.push(z - knot);
      });
    });
    return { index: Int32Array.from(index), value: Float64Array.from(value) };
  });
}

/**
 * Packs fitted weights into the additive model, centring each term on its mean over `rows`
 * (the training rows) and folding those means into the intercept.
 */
export function toAdditiveModel(layout: FeatureLayout, weights: Float64Array, values: Array<Float64Array | string[]>, rows: number[]): AdditiveModel {
  const terms = layout.terms.map((term, j): Term => {
    if (term.type === "string") {
      const w = term.categories.map((_, k) => weights[term.offset + k]!);
      const cells = values[j] as string[];
      const baseline = mean(rows.map((r) => w[term.index.get(cells[r]!) ?? -1] ?? 0));
      return { type: "string", name: term.name, categories: term.categories, weights: w, baseline };
    }
    const spline = { impute: term.impute, center: term.center, scale: term.scale, knots: term.knots };
    const w = Array.from({ length: 1 + term.knots.length }, (_, k) => weights[term.offset + k]!);
    const cells = values[j] as Float64Array;
    const baseline = mean(rows.map((r) => numericValue({ ...spline, weights: w }, cells[r]!)));
    return { type: "float", name: term.name, ...spline, weights: w, baseline };
  });
  const intercept = terms.reduce((sum, t) => sum + t.baseline, weights[0]!);
  return { intercept, terms };
}

/** The raw cells of one dataset row, in column order (for `scoreRow`). */
export function rowCells(values: Array<Float64Array | string[]>, row: number): RawCell[] {
  return values.map((column) => column[row]!);
}

function mean(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return xs.length ? sum / xs.length : 0;
}
