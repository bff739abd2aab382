import type { CategoricalInputSpec, ModelInputSpec, NumericInputSpec } from "../../model/term-model.ts";
import { assertNever, binCount, binOf } from "../../model/term-model.ts";
import type { CategoricalColumn, NumericColumn, TrainingTable } from "../table.ts";

/** Per-row bin of one input (`binOf`), as compact as its bin count allows. */
export type BinCodes = Uint8Array | Uint16Array;

export interface BinnedTable {
  /** The model inputs: cuts and kept levels learned from the fitting rows. */
  specs: ModelInputSpec[];
  /** `codes[i][row]` = bin of input i for every row of the table (not only the fitting rows). */
  codes: BinCodes[];
  /** `binCount(specs[i])`. */
  bins: number[];
}

export interface BinningOptions {
  /** Upper bound on a numeric input's intervals and a categorical input's kept levels. */
  maxBins: number;
  /** A level seen in fewer fitting rows is folded into "other": too few rows to learn its own effect. */
  minCategoryRows: number;
}

/**
 * Learns each input's bins from the fitting rows (quantile cuts on numerics, frequent levels on
 * categoricals) and codes every row of the table with `binOf`, the very function the scorer uses.
 *
 * @example const binned = binTable(table, trainRows, { maxBins: 64, minCategoryRows: 10 });
 */
export function binTable(table: TrainingTable, fitRows: Int32Array, options: BinningOptions): BinnedTable {
  const specs = table.inputs.map((input): ModelInputSpec => {
    switch (input.role) {
      case "numeric":
        return numericSpec(input, fitRows, options.maxBins);
      case "categorical":
      case "boolean":
        return categoricalSpec(input, fitRows, options);
      default:
        return assertNever(input);
    }
  });
  const codes = table.inputs.map((input, i) => codeColumn(input, specs[i]!, table.rows));
  return { specs, codes, bins: specs.map(binCount) };
}

/**
 * Cuts at midpoints between distinct values so that each interval holds about the same number of
 * fitting rows (every distinct value gets its own interval when there are few enough).
 */
export function quantileCuts(sortedValues: Float64Array, maxIntervals: number): number[] {
  const distinct: number[] = [];
  const counts: number[] = [];
  for (const v of sortedValues) {
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]!++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  const cuts: number[] = [];
  let remainingRows = sortedValues.length;
  let inInterval = 0;
  for (let k = 0; k < distinct.length - 1; k++) {
    inInterval += counts[k]!;
    const remainingIntervals = maxIntervals - cuts.length;
    // Re-aim at every step: a heavy value (e.g. 0 minutes) takes its interval without starving the rest.
    if (remainingIntervals > 1 && inInterval >= remainingRows / remainingIntervals) {
      cuts.push(midpoint(distinct[k]!, distinct[k + 1]!));
      remainingRows -= inInterval;
      inInterval = 0;
    }
  }
  return cuts;
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  // Adjacent doubles: the cut must stay below b so that b lands above it (`cut < x`).
  return m < b ? m : a;
}

function numericSpec(input: NumericColumn, fitRows: Int32Array, maxBins: number): NumericInputSpec {
  const present: number[] = [];
  for (const r of fitRows) if (!Number.isNaN(input.values[r]!)) present.push(input.values[r]!);
  const sorted = Float64Array.from(present).sort();
  return { role: "numeric", name: input.name, label: input.label, cuts: quantileCuts(sorted, maxBins) };
}

function categoricalSpec(input: CategoricalColumn, fitRows: Int32Array, options: BinningOptions): CategoricalInputSpec {
  const counts = new Int32Array(input.categories.length);
  for (const r of fitRows) if (input.codes[r]! >= 0) counts[input.codes[r]!]!++;
  const frequent = [...counts.keys()]
    .filter((c) => counts[c]! >= options.minCategoryRows)
    .sort((a, b) => counts[b]! - counts[a]! || a - b)
    .slice(0, options.maxBins)
    .sort((a, b) => a - b);
  return {
    role: input.role,
    name: input.name,
    label: input.label,
    categories: frequent.map((c) => input.categories[c]!),
  };
}

function codeColumn(input: TrainingTable["inputs"][number], spec: ModelInputSpec, rows: number): BinCodes {
  const codes = binCount(spec) <= 256 ? new Uint8Array(rows) : new Uint16Array(rows);
  switch (input.role) {
    case "numeric":
      for (let r = 0; r < rows; r++) codes[r] = binOf(spec, input.values[r]!);
      return codes;
    case "categorical":
    case "boolean": {
      const kept = (spec as CategoricalInputSpec).categories;
      // Table level index -> model level index; folded levels read as "other" (= kept.length).
      const levelCode = new Int32Array(input.categories.length).fill(kept.length);
      const position = new Map(input.categories.map((name, c) => [name, c]));
      kept.forEach((name, k) => {
        levelCode[position.get(name)!] = k;
      });
      for (let r = 0; r < rows; r++) codes[r] = binOf(spec, input.codes[r]! < 0 ? NaN : levelCode[input.codes[r]!]!);
      return codes;
    }
    default:
      return assertNever(input);
  }
}
