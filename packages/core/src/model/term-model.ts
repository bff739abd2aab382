/**
 * The `term-tables/1` model (docs/MODEL-FORMAT.md): an additive model of binned inputs where every
 * term is a lookup table. Shared by the trainer (which fits it), the exporter (which writes it as
 * ONNX) and the scorer (which reads reasons from it), so all three agree on what a bin is.
 */
import type { Forest } from "./forest.ts";

export type ModelInputSpec = NumericInputSpec | CategoricalInputSpec;

export interface NumericInputSpec {
  role: "numeric";
  name: string;
  /** How the column reads in reasons: `Tenure (months) is 3 (+0.41)`. */
  label: string;
  /** Ascending bin edges: a value x falls in bin `1 + #{k : cuts[k] < x}`; blank (NaN) in bin 0. */
  cuts: number[];
}

export interface CategoricalInputSpec {
  role: "categorical" | "boolean";
  name: string;
  label: string;
  /** Levels with a bin of their own (bin `1 + index`); any other value reads as "other" (last bin); blank is bin 0. */
  categories: string[];
}

/**
 * An input the model computes from card inputs instead of reading a column: the sum of numeric
 * inputs in the same unit (`Total charge (day + eve + night + intl)`), binned like a numeric input.
 * Its code is the float32 sum of the inputs' float32 codes, added in `sumOf` order (blank if any
 * is blank): the ONNX graph and `derivedCode` compute the very same float32.
 */
export interface DerivedInputSpec {
  role: "numeric";
  name: string;
  label: string;
  /** Indexes of the numeric card inputs it adds up. */
  sumOf: number[];
  cuts: number[];
}

export type Term = MainTerm | PairTerm | PathTerm;

export interface MainTerm {
  kind: "main";
  inputs: [number];
  /** One log-odds contribution per bin of the input. */
  table: number[];
}

export interface PairTerm {
  kind: "pair";
  inputs: [number, number];
  /** Row-major over the two inputs' bins: `table[bi * bins(j) + bj]`. */
  table: number[];
}

/**
 * The forest's credit to one input (model/forest.ts), less `shift` (its mean over the training
 * rows, which the intercept holds). It reads every input the forest splits, but names only its own.
 */
export interface PathTerm {
  kind: "path";
  inputs: [number];
  shift: number;
}

export interface TermModel {
  /** Log-odds of a customer whose every term contributes 0 (tables are centred on the training rows). */
  intercept: number;
  inputs: ModelInputSpec[];
  /** Inputs computed from `inputs`; a term names derived input d as index `inputs.length + d`. */
  derived?: DerivedInputSpec[];
  /** Trees over any inputs, credited to them by the model's path terms (which come last, in input order). */
  forest?: Forest;
  terms: Term[];
}

/** What terms index: the card inputs, then the derived inputs. */
export function termInputs(model: Pick<TermModel, "inputs" | "derived">): ModelInputSpec[] {
  return model.derived && model.derived.length > 0 ? [...model.inputs, ...model.derived] : model.inputs;
}

/** A derived input's code from one row's codes (`codes[offset + i]` for input i): float32 arithmetic, as in the ONNX graph. */
export function derivedCode(spec: DerivedInputSpec, codes: ArrayLike<number>, offset: number): number {
  let sum = 0;
  for (const i of spec.sumOf) sum = Math.fround(sum + Math.fround(codes[offset + i]!));
  return sum;
}

/** Number of bins of an input: missing + one per interval (numeric) or level (categorical) + other. */
export function binCount(input: ModelInputSpec): number {
  switch (input.role) {
    case "numeric":
      return input.cuts.length + 2;
    case "categorical":
    case "boolean":
      return input.categories.length + 2;
    default:
      return assertNever(input);
  }
}

/**
 * The bin of a code as fed to ONNX: numeric codes are the value (NaN blank), categorical codes
 * the level's index (`categories.length` for "other", NaN blank).
 */
export function binOf(input: ModelInputSpec, code: number): number {
  if (Number.isNaN(code)) return 0;
  switch (input.role) {
    case "numeric":
      return 1 + countBelow(input.cuts, code);
    case "categorical":
    case "boolean":
      return 1 + code;
    default:
      return assertNever(input);
  }
}

/** #{k : cuts[k] < x} by binary search (cuts ascending). */
function countBelow(cuts: readonly number[], x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Exhaustiveness check for switches over unions: a new kind fails to compile instead of falling through. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected variant: ${JSON.stringify(value)}`);
}

/**
 * The model with its intercept and tables rounded to float32: what is shipped, so the ONNX file
 * (float32 tables) and the card hold the very same numbers and the scorer's float64 sum of the
 * ONNX contributions equals the card's log-odds exactly.
 */
export function withFloat32Tables(model: TermModel): TermModel {
  return {
    intercept: Math.fround(model.intercept),
    inputs: model.inputs,
    ...(model.derived ? { derived: model.derived } : {}),
    ...(model.forest ? { forest: model.forest } : {}),
    terms: model.terms.map((term) => (term.kind === "path" ? term : { ...term, table: term.table.map(Math.fround) })),
  };
}
