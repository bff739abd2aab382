import type { Term, TermModel } from "../../model/term-model.ts";
import { assertNever } from "../../model/term-model.ts";
import type { BinnedTable } from "./binning.ts";
import type { BaggedTerms } from "./bagging.ts";
import type { Recalibration } from "./calibration.ts";

/**
 * The fitted tables as a `term-tables/1` model: main terms in input order, then pair terms,
 * recalibrated (every table and the intercept times the slope, plus the offset) and centred so
 * that each term's mean contribution over `rows` is 0, the intercept holding the rest.
 */
export function toTermModel(binned: BinnedTable, fitted: BaggedTerms, rows: Int32Array, calibration: Recalibration): TermModel {
  const terms: Term[] = [
    ...fitted.mains.map((table, i): Term => ({ kind: "main", inputs: [i], table: Array.from(table, (v) => v * calibration.slope) })),
    ...fitted.pairs.map(({ inputs, table }): Term => ({ kind: "pair", inputs, table: Array.from(table, (v) => v * calibration.slope) })),
  ];
  let intercept = fitted.intercept * calibration.slope + calibration.offset;
  for (const term of terms) {
    const cells = termCells(binned, term, rows);
    let mean = 0;
    for (let k = 0; k < cells.length; k++) mean += term.table[cells[k]!]!;
    mean /= cells.length;
    for (let c = 0; c < term.table.length; c++) term.table[c]! -= mean;
    intercept += mean;
  }
  return { intercept, inputs: binned.specs, terms };
}

/** The table cell of `term` for each of `rows`. */
export function termCells(binned: BinnedTable, term: Term, rows: Int32Array): Int32Array {
  switch (term.kind) {
    case "main": {
      const codes = binned.codes[term.inputs[0]]!;
      return rows.map((r) => codes[r]!);
    }
    case "pair": {
      const [a, b] = [binned.codes[term.inputs[0]]!, binned.codes[term.inputs[1]]!];
      const cols = binned.bins[term.inputs[1]]!;
      return rows.map((r) => a[r]! * cols + b[r]!);
    }
    default:
      return assertNever(term);
  }
}

/** Log-odds of each of `rows`, summed in term order like the scorer does. */
export function binnedLogits(model: TermModel, binned: BinnedTable, rows: Int32Array): Float64Array {
  const logits = new Float64Array(rows.length).fill(model.intercept);
  for (const term of model.terms) {
    const cells = termCells(binned, term, rows);
    for (let k = 0; k < rows.length; k++) logits[k]! += term.table[cells[k]!]!;
  }
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
  return model.terms
    .map((term, t) => {
      const cells = termCells(binned, term, rows);
      let sum = 0;
      for (let k = 0; k < cells.length; k++) sum += Math.abs(term.table[cells[k]!]!);
      const name = term.inputs.map((i) => model.inputs[i]!.name).join(" × ");
      return { term: t, name, meanAbsContribution: sum / cells.length };
    })
    .sort((a, b) => b.meanAbsContribution - a.meanAbsContribution || a.term - b.term);
}
