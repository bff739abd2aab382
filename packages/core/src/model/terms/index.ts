import type { GraphBuilder } from "../../onnx/graph.ts";
import { assertNever, type ModelInputSpec, type Term } from "../term-model.ts";
import { exportMain, mainContribution } from "./main.ts";
import { exportPair, pairContribution } from "./pair.ts";
import { exportPath } from "./path.ts";
import type { Forest } from "../forest.ts";
import { creditForest } from "../forest.ts";

/**
 * Dispatch over term kinds: one module per kind (main.ts, pair.ts), one exhaustive switch here, so
 * a new kind fails to compile until it has its scoring and export pieces.
 */

/**
 * The term's log-odds contribution for a row whose inputs fall in `bins`; `credits` is the row's
 * forest credit per input (`rowCredits`), which path terms read.
 */
export function termContribution(
  term: Term,
  bins: ArrayLike<number>,
  inputs: readonly ModelInputSpec[],
  credits: ArrayLike<number>,
): number {
  switch (term.kind) {
    case "main":
      return mainContribution(term, bins);
    case "pair":
      return pairContribution(term, bins, inputs);
    case "path":
      return credits[term.inputs[0]]! - term.shift;
    default:
      return assertNever(term);
  }
}

/** The forest's [N,P] output in the graph (`exportForest`) and each path term's column of it. */
export interface ForestOutput {
  credits: string;
  columns: ReadonlyMap<Term, number>;
}

/** The term's ONNX nodes, from the inputs' bin tensors ([N] int64 each); returns its [N] float contribution. */
export function exportTerm(
  graph: GraphBuilder,
  term: Term,
  binNames: readonly string[],
  inputs: readonly ModelInputSpec[],
  prefix: string,
  forest?: ForestOutput,
): string {
  switch (term.kind) {
    case "main":
      return exportMain(graph, term, binNames, prefix);
    case "pair":
      return exportPair(graph, term, binNames, inputs, prefix);
    case "path":
      if (!forest) throw new Error("a path term's export needs the forest's output (exportForest)");
      return exportPath(graph, forest.credits, forest.columns.get(term)!, prefix);
    default:
      return assertNever(term);
  }
}

/** The row's forest credit per input into `credits` (zeros without a forest), for `termContribution`. */
export function rowCredits(forest: Forest | undefined, bins: ArrayLike<number>, credits: Float64Array): Float64Array {
  credits.fill(0);
  if (forest) creditForest(forest, bins, credits);
  return credits;
}
