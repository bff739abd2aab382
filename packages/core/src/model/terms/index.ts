import type { GraphBuilder } from "../../onnx/graph.ts";
import { assertNever, type ModelInputSpec, type Term } from "../term-model.ts";
import { exportMain, mainContribution } from "./main.ts";
import { exportPair, pairContribution } from "./pair.ts";

/**
 * Dispatch over term kinds: one module per kind (main.ts, pair.ts), one exhaustive switch here, so
 * a new kind fails to compile until it has its scoring and export pieces.
 */

/** The term's log-odds contribution for a row whose inputs fall in `bins`. */
export function termContribution(term: Term, bins: ArrayLike<number>, inputs: readonly ModelInputSpec[]): number {
  switch (term.kind) {
    case "main":
      return mainContribution(term, bins);
    case "pair":
      return pairContribution(term, bins, inputs);
    default:
      return assertNever(term);
  }
}

/** The term's ONNX nodes, from the inputs' bin tensors ([N] int64 each); returns its [N] float contribution. */
export function exportTerm(graph: GraphBuilder, term: Term, binNames: readonly string[], inputs: readonly ModelInputSpec[], prefix: string): string {
  switch (term.kind) {
    case "main":
      return exportMain(graph, term, binNames, prefix);
    case "pair":
      return exportPair(graph, term, binNames, inputs, prefix);
    default:
      return assertNever(term);
  }
}
