import type { GraphBuilder } from "../../onnx/graph.ts";
import type { MainTerm } from "../term-model.ts";

/** A main term: one input's bin picks one entry of the table. */
export function mainContribution(term: MainTerm, bins: ArrayLike<number>): number {
  return term.table[bins[term.inputs[0]]!]!;
}

/** ONNX: Gather of the table by the input's bin ([N] int64) -> [N] float. */
export function exportMain(graph: GraphBuilder, term: MainTerm, binNames: readonly string[], prefix: string): string {
  const table = graph.tensor(`${prefix}/table`, [term.table.length], term.table);
  return graph.node("Gather", [table, binNames[term.inputs[0]]!], [`${prefix}/contribution`], { axis: 0 });
}
