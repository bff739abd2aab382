import type { GraphBuilder } from "../../onnx/graph.ts";
import { binCount, type ModelInputSpec, type PairTerm } from "../term-model.ts";

/** A pair term: the two inputs' bins pick one entry of the row-major table, `bi * bins(j) + bj`. */
export function pairContribution(term: PairTerm, bins: ArrayLike<number>, inputs: readonly ModelInputSpec[]): number {
  const [i, j] = term.inputs;
  return term.table[bins[i]! * binCount(inputs[j]!) + bins[j]!]!;
}

/** ONNX: the flat index `bi * bins(j) + bj` in int64, then Gather on the flattened table -> [N] float. */
export function exportPair(
  graph: GraphBuilder,
  term: PairTerm,
  binNames: readonly string[],
  inputs: readonly ModelInputSpec[],
  prefix: string,
): string {
  const [i, j] = term.inputs;
  const stride = graph.scalar(`${prefix}/stride`, binCount(inputs[j]!), "int64");
  const row = graph.node("Mul", [binNames[i]!, stride], [`${prefix}/row`]);
  const index = graph.node("Add", [row, binNames[j]!], [`${prefix}/index`]);
  const table = graph.tensor(`${prefix}/table`, [term.table.length], term.table);
  return graph.node("Gather", [table, index], [`${prefix}/contribution`], { axis: 0 });
}
