import type { BinCodes } from "./binning.ts";

/** Cyclic passes over the inputs; each is one Newton step per coefficient. */
const MAX_PASSES = 100;
/** Stop when no coefficient moved the log-odds of any row by more than this in a pass. */
const TOLERANCE = 1e-4;

/** One input of the linear start, by bins: what each bin stands for. */
export type LinearInput =
  /** `values[bin]`: the standardized mean of the fitted rows' numbers in the bin; bin 0 (blank) gets its own coefficient. */
  | { kind: "numeric"; values: Float64Array }
  /** One coefficient per bin (level, blank, other). */
  | { kind: "levels"; bins: number }
  /** Left to the trees (a derived sum: its columns are in the regression already). */
  | { kind: "none"; bins: number };

/**
 * A ridge logistic regression on the binned inputs, by cyclic coordinate Newton steps (glmnet's
 * scheme): numbers as the standardized mean of their bin, with a coefficient for blank, levels one
 * hot. Block by block the Hessian is diagonal (a row is in one level of an input), so every step is
 * closed form. Returned as one table per input, over its bins: a main-effect start that the trees
 * then boost from, so a table that is mostly linear is fitted as such on few rows, where trees alone
 * would need many rows to draw a line with steps.
 *
 * `logits` start at the base log-odds and end at the model's; the tables add up to the change.
 */
export function fitLinearStart(
  inputs: readonly LinearInput[],
  codes: readonly BinCodes[],
  labels: Uint8Array,
  logits: Float64Array,
  ridge: number,
): Float64Array[] {
  const n = labels.length;
  const tables = inputs.map((input) => new Float64Array(input.kind === "numeric" ? input.values.length : input.bins));
  const slopes = new Float64Array(inputs.length);
  const prob = new Float64Array(n);
  const refresh = () => {
    for (let k = 0; k < n; k++) prob[k] = 1 / (1 + Math.exp(-logits[k]!));
  };
  refresh();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let moved = 0;
    inputs.forEach((input, f) => {
      if (input.kind === "none") return;
      const column = codes[f]!;
      const table = tables[f]!;
      const step =
        input.kind === "numeric"
          ? slopeSteps(input.values, column, table, slopes, f, prob, labels, ridge)
          : levelSteps(table.length, column, table, prob, labels, ridge);
      for (let k = 0; k < n; k++) {
        const d = step[column[k]!]!;
        if (d !== 0) {
          logits[k]! += d;
          prob[k] = 1 / (1 + Math.exp(-logits[k]!));
        }
      }
      for (let b = 0; b < step.length; b++) {
        table[b]! += step[b]!;
        moved = Math.max(moved, Math.abs(step[b]!));
      }
    });
    if (moved < TOLERANCE) break;
  }
  return tables;
}

/** Newton steps of each level's coefficient (independent: the rows of two levels never overlap), as a change per bin. */
function levelSteps(
  bins: number,
  column: BinCodes,
  table: Float64Array,
  prob: Float64Array,
  labels: Uint8Array,
  ridge: number,
): Float64Array {
  const g = new Float64Array(bins);
  const h = new Float64Array(bins);
  for (let k = 0; k < column.length; k++) {
    g[column[k]!]! += prob[k]! - labels[k]!;
    h[column[k]!]! += prob[k]! * (1 - prob[k]!);
  }
  return g.map((gb, b) => -(gb + ridge * table[b]!) / (h[b]! + ridge));
}

/** One Newton step of the slope of a numeric input, then one of its blank coefficient, as a change per bin. */
function slopeSteps(
  values: Float64Array,
  column: BinCodes,
  table: Float64Array,
  slopes: Float64Array,
  f: number,
  prob: Float64Array,
  labels: Uint8Array,
  ridge: number,
): Float64Array {
  let g = ridge * slopes[f]!;
  let h = ridge;
  let gBlank = ridge * table[0]!;
  let hBlank = ridge;
  for (let k = 0; k < column.length; k++) {
    const b = column[k]!;
    const r = prob[k]! - labels[k]!;
    const w = prob[k]! * (1 - prob[k]!);
    if (b === 0) {
      gBlank += r;
      hBlank += w;
    } else {
      g += r * values[b]!;
      h += w * values[b]! * values[b]!;
    }
  }
  const slope = -g / h;
  slopes[f]! += slope;
  return values.map((x, b) => (b === 0 ? -gBlank / hBlank : slope * x));
}

/** The standardized mean value of each bin of a numeric input over `rows` (0 for bins without rows and the blank bin). */
export function binMeans(values: Float64Array, codes: BinCodes, bins: number, rows: Int32Array): Float64Array {
  const sum = new Float64Array(bins);
  const count = new Float64Array(bins);
  let total = 0;
  let totalSq = 0;
  let present = 0;
  for (const r of rows) {
    const v = values[r]!;
    if (Number.isNaN(v)) continue;
    sum[codes[r]!]! += v;
    count[codes[r]!]! += 1;
    total += v;
    totalSq += v * v;
    present++;
  }
  const mean = present > 0 ? total / present : 0;
  const sd = present > 1 ? Math.sqrt(Math.max(totalSq / present - mean * mean, 0)) : 0;
  // A bin no fitted row fell in sits between its neighbours: interpolate so the line stays a line.
  const means = Float64Array.from(sum, (s, b) => (count[b]! > 0 ? s / count[b]! : NaN));
  fillGaps(means);
  return means.map((m, b) => (b === 0 || sd === 0 || Number.isNaN(m) ? 0 : (m - mean) / sd));
}

function fillGaps(means: Float64Array): void {
  let last = NaN;
  for (let b = 1; b < means.length; b++) {
    if (!Number.isNaN(means[b]!)) {
      last = means[b]!;
      continue;
    }
    let next = b + 1;
    while (next < means.length && Number.isNaN(means[next]!)) next++;
    const right = next < means.length ? means[next]! : last;
    means[b] = Number.isNaN(last) ? right : Number.isNaN(right) ? last : (last + right) / 2;
  }
}
