import type { Forest } from "../../model/forest.ts";
import { creditForest, forestInputs } from "../../model/forest.ts";
import type { DerivedInputSpec, NumericInputSpec, Term, TermModel } from "../../model/term-model.ts";
import { assertNever, termInputs } from "../../model/term-model.ts";
import type { BinnedTable } from "./binning.ts";
import type { Recalibration } from "./calibration.ts";

/** The bags' averaged tables, by binned input (the table's columns, then the derived inputs). */
export interface FittedTerms {
  intercept: number;
  /** Main table per column of the table (length = bins of the input). */
  mains: Float64Array[];
  /** Derived inputs kept as main terms (input index into the binned table, table over its bins). */
  derivedMains: Array<{ input: number; table: Float64Array }>;
  pairs: Array<{ inputs: [number, number]; table: Float64Array }>;
  /** Trees over the table's columns (values of the bags' mean), credited to their inputs by path terms. */
  forest?: Forest;
}

/**
 * The fitted tables as a `term-tables/1` model: main terms in input order (the table's columns,
 * then the derived inputs kept), then pair terms, recalibrated (every table and the intercept times
 * the slope, plus the offset) and centred so that each term's mean contribution over `rows` is 0,
 * the intercept holding the rest. `sumOf[d]` is what binned input `columns + d` adds up; only the
 * derived inputs some term reads are kept. Returns the binned inputs in the model's input order too.
 */
export function toTermModel(
  binned: BinnedTable,
  fitted: FittedTerms,
  rows: Int32Array,
  calibration: Recalibration,
  columns = binned.specs.length,
  sumOf: number[][] = [],
): { model: TermModel; binned: BinnedTable } {
  const read = new Set(
    [...fitted.derivedMains.map((d) => d.input), ...fitted.pairs.flatMap((p) => p.inputs)].filter((i) => i >= columns),
  );
  const kept = [...Array.from({ length: columns }, (_, i) => i), ...[...read].sort((a, b) => a - b)];
  const at = new Map(kept.map((i, k) => [i, k]));
  const view: BinnedTable = {
    specs: kept.map((i) => binned.specs[i]!),
    codes: kept.map((i) => binned.codes[i]!),
    bins: kept.map((i) => binned.bins[i]!),
  };
  const scaled = (table: Float64Array) => Array.from(table, (v) => v * calibration.slope);
  const forest =
    fitted.forest && fitted.forest.trees.length > 0
      ? {
          ...fitted.forest,
          trees: fitted.forest.trees.map((tree) => ({ ...tree, value: tree.value.map((v) => v * calibration.slope) })),
        }
      : undefined;
  const terms: Term[] = [
    ...fitted.mains.map((table, i): Term => ({ kind: "main", inputs: [i], table: scaled(table) })),
    ...fitted.derivedMains.map(
      ({ input, table }): Term => ({ kind: "main", inputs: [at.get(input)!], table: scaled(table) }),
    ),
    ...fitted.pairs.map(
      ({ inputs, table }): Term => ({
        kind: "pair",
        inputs: [at.get(inputs[0])!, at.get(inputs[1])!],
        table: scaled(table),
      }),
    ),
    // The forest reads only the table's columns, whose indexes the view keeps.
    ...(forest ? forestInputs(forest).map((f): Term => ({ kind: "path", inputs: [f], shift: 0 })) : []),
  ];
  let intercept = fitted.intercept * calibration.slope + calibration.offset;
  if (forest) for (const tree of forest.trees) intercept += tree.value[0]!;
  const uncentred: TermModel = {
    intercept,
    inputs: view.specs.slice(0, columns),
    ...(forest ? { forest } : {}),
    terms,
  };
  binnedContributions(uncentred, view, rows).forEach((values, t) => {
    let mean = 0;
    for (let k = 0; k < values.length; k++) mean += values[k]!;
    mean /= values.length;
    const term = terms[t]!;
    if (term.kind === "path") term.shift = mean;
    else for (let c = 0; c < term.table.length; c++) term.table[c]! -= mean;
    intercept += mean;
  });
  const derived = kept.slice(columns).map(
    (i): DerivedInputSpec => ({
      role: "numeric",
      name: binned.specs[i]!.name,
      label: binned.specs[i]!.label,
      sumOf: sumOf[i - columns]!,
      cuts: (binned.specs[i] as NumericInputSpec).cuts,
    }),
  );
  return {
    model: {
      intercept,
      inputs: view.specs.slice(0, columns),
      ...(derived.length > 0 ? { derived } : {}),
      ...(forest ? { forest } : {}),
      terms,
    },
    binned: view,
  };
}

/** Each term's contribution for each of `rows` (one array per term, in term order), as the scorer computes them. */
export function binnedContributions(model: TermModel, binned: BinnedTable, rows: Int32Array): Float64Array[] {
  const credits = model.forest ? forestCredits(model.forest, binned, rows) : [];
  return model.terms.map((term) => {
    switch (term.kind) {
      case "main": {
        const codes = binned.codes[term.inputs[0]]!;
        return Float64Array.from(rows, (r) => term.table[codes[r]!]!);
      }
      case "pair": {
        const [a, b] = [binned.codes[term.inputs[0]]!, binned.codes[term.inputs[1]]!];
        const cols = binned.bins[term.inputs[1]]!;
        return Float64Array.from(rows, (r) => term.table[a[r]! * cols + b[r]!]!);
      }
      case "path":
        return credits[term.inputs[0]]!.map((c) => c - term.shift);
      default:
        return assertNever(term);
    }
  });
}

/** The forest's credit to each input (an array per input; empty for inputs it never splits) for each of `rows`. */
function forestCredits(forest: Forest, binned: BinnedTable, rows: Int32Array): Float64Array[] {
  const inputs = binned.codes.length;
  const out = binned.codes.map(() => new Float64Array(rows.length));
  const bins = new Int32Array(inputs);
  const credits = new Float64Array(inputs);
  rows.forEach((r, k) => {
    for (let f = 0; f < inputs; f++) bins[f] = binned.codes[f]![r]!;
    credits.fill(0);
    creditForest(forest, bins, credits);
    for (let f = 0; f < inputs; f++) out[f]![k] = credits[f]!;
  });
  return out;
}

/** Log-odds of each of `rows`, summed in term order like the scorer does. */
export function binnedLogits(model: TermModel, binned: BinnedTable, rows: Int32Array): Float64Array {
  const logits = new Float64Array(rows.length).fill(model.intercept);
  for (const values of binnedContributions(model, binned, rows))
    for (let k = 0; k < rows.length; k++) logits[k]! += values[k]!;
  return logits;
}

export interface TermImportance {
  /** Index into `model.terms`. */
  term: number;
  /** Input names of the term ("tenure", or "tenure × Contract" for a pair). */
  name: string;
  /** Mean |contribution| over the rows: how much the term moves a typical customer's log-odds. */
  meanAbsContribution: number;
}

/** Every term's mean |contribution| over `rows`, largest first. */
export function termImportances(model: TermModel, binned: BinnedTable, rows: Int32Array): TermImportance[] {
  const contributions = binnedContributions(model, binned, rows);
  return model.terms
    .map((term, t) => {
      const values = contributions[t]!;
      let sum = 0;
      for (let k = 0; k < values.length; k++) sum += Math.abs(values[k]!);
      const name = term.inputs.map((i) => termInputs(model)[i]!.name).join(" × ");
      return { term: t, name, meanAbsContribution: sum / values.length };
    })
    .sort((a, b) => b.meanAbsContribution - a.meanAbsContribution || a.term - b.term);
}
