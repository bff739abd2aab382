import { GraphBuilder, valueInfo } from "../onnx/graph.ts";
import { onnx } from "../onnx/proto.ts";
import {
  assertNever,
  termInputs,
  type DerivedInputSpec,
  type ModelInputSpec,
  type TermModel,
} from "../model/term-model.ts";
import { exportTerm, type ForestOutput } from "../model/terms/index.ts";
import { exportForest } from "../model/terms/path.ts";
import type { PathTerm } from "../model/term-model.ts";

export const FEATURES_INPUT = "features";
export const CONTRIBUTIONS_OUTPUT = "contributions";
export const PROBABILITIES_OUTPUT = "probabilities";

/**
 * Exports a term model (docs/MODEL-FORMAT.md) as an ONNX graph of standard operators (ai.onnx
 * opset 17; a forest adds one ai.onnx.ml TreeEnsembleRegressor, model/terms/path.ts):
 *
 *   input    `features`      float32 [N,F]  codes in card input order (numbers, category indexes; NaN blank)
 *   outputs  `contributions` float32 [N,T]  one log-odds contribution per term, in term order
 *            `probabilities` float32 [N,2]  [1-p, p] for people who run the file elsewhere
 *
 * Each input becomes a bin ([N] int64): a numeric counts the cuts below it (Greater against the cuts,
 * Cast, ReduceSum), a categorical adds 1 to its code, and IsNaN/Where sends a blank to bin 0. Each
 * term then Gathers from its table (a pair at `bi * bins(j) + bj`). Cuts are rounded down to float32
 * so comparing a float32 code with them gives the same bin as comparing with the float64 cut.
 * The bytes depend only on the model, name and version.
 */
export function exportTermModel(model: TermModel, meta: { name: string; version: string }): Uint8Array {
  const graph = new GraphBuilder();
  const bins = [
    ...model.inputs.map((input, i) => binNodes(graph, input, columnCode(graph, i), `input${i}`)),
    ...(model.derived ?? []).map((spec, d) =>
      binNodes(graph, spec, sumCode(graph, spec, `derived${d}`), `derived${d}`),
    ),
  ];
  const paths = model.terms.filter((term): term is PathTerm => term.kind === "path");
  const forest: ForestOutput | undefined =
    model.forest && paths.length > 0
      ? { credits: exportForest(graph, model.forest, paths, bins), columns: new Map(paths.map((term, k) => [term, k])) }
      : undefined;
  const contributions = model.terms.map((term, t) => {
    const contribution = exportTerm(graph, term, bins, termInputs(model), `term${t}`, forest);
    return graph.node(
      "Unsqueeze",
      [contribution, graph.tensor(`term${t}/axes`, [1], [1], "int64")],
      [`term${t}/column`],
    );
  });
  graph.node("Concat", contributions, [CONTRIBUTIONS_OUTPUT], { axis: 1 });
  const sum = graph.node(
    "ReduceSum",
    [CONTRIBUTIONS_OUTPUT, graph.tensor("sum/axes", [1], [1], "int64")],
    ["logit/sum"],
    { keepdims: 1 },
  );
  const logit = graph.node("Add", [sum, graph.scalar("intercept", model.intercept)], ["logit"]);
  const churn = graph.node("Sigmoid", [logit], ["p/churn"]);
  const stay = graph.node("Sub", [graph.scalar("one", 1), churn], ["p/stay"]);
  graph.node("Concat", [stay, churn], [PROBABILITIES_OUTPUT], { axis: 1 });

  const { FLOAT } = onnx.TensorProto.DataType;
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: "retainwise",
      producerVersion: meta.version,
      modelVersion: 1,
      docString: `${meta.name} ${meta.version}: term-tables/1 churn model (see docs/MODEL-FORMAT.md)`,
      opsetImport: [{ domain: "", version: 17 }, ...(forest ? [{ domain: "ai.onnx.ml", version: 3 }] : [])],
      metadataProps: [
        { key: "name", value: meta.name },
        { key: "version", value: meta.version },
        { key: "format", value: "term-tables/1" },
      ],
      graph: onnx.GraphProto.create({
        name: meta.name,
        node: graph.nodes,
        initializer: graph.initializers,
        input: [valueInfo(FEATURES_INPUT, FLOAT, model.inputs.length)],
        output: [valueInfo(CONTRIBUTIONS_OUTPUT, FLOAT, model.terms.length), valueInfo(PROBABILITIES_OUTPUT, FLOAT, 2)],
      }),
    }),
  ).finish();
}

/** Input i's code per row, [N] float: its column of `features`. */
function columnCode(graph: GraphBuilder, i: number): string {
  return graph.node("Gather", [FEATURES_INPUT, graph.scalar(`input${i}/column`, i, "int64")], [`input${i}/code`], {
    axis: 1,
  });
}

/** A derived input's code per row, [N] float: its inputs' columns added in `sumOf` order (NaN when one is blank). */
function sumCode(graph: GraphBuilder, spec: DerivedInputSpec, p: string): string {
  return spec.sumOf.reduce<string>(
    (sum, i, k) => {
      const column = graph.node(
        "Gather",
        [FEATURES_INPUT, graph.scalar(`${p}/column${k}`, i, "int64")],
        [`${p}/part${k}`],
        { axis: 1 },
      );
      return graph.node("Add", [sum, column], [`${p}/sum${k}`]);
    },
    graph.scalar(`${p}/zero`, 0),
  );
}

/** The input's bin per row, [N] int64 (see the table in docs/MODEL-FORMAT.md), from its code per row. */
function binNodes(graph: GraphBuilder, input: ModelInputSpec, code: string, p: string): string {
  const missing = graph.node("IsNaN", [code], [`${p}/missing`]);
  const present = presentBin(graph, input, code, p);
  const bin = graph.node("Where", [missing, graph.scalar(`${p}/blank`, 0), present], [`${p}/bin_float`]);
  return graph.node("Cast", [bin], [`${p}/bin`], { to: onnx.TensorProto.DataType.INT64 });
}

/** The bin of a non-blank code, as float [N]. */
function presentBin(graph: GraphBuilder, input: ModelInputSpec, code: string, p: string): string {
  switch (input.role) {
    case "numeric": {
      const one = graph.scalar(`${p}/one`, 1);
      // No cuts: every number is in bin 1 (Where broadcasts the scalar).
      if (input.cuts.length === 0) return one;
      const column = graph.node("Unsqueeze", [code, graph.tensor(`${p}/axes`, [1], [1], "int64")], [`${p}/x`]);
      const cuts = graph.tensor(`${p}/cuts`, [1, input.cuts.length], input.cuts.map(float32AtMost));
      const above = graph.node("Greater", [column, cuts], [`${p}/above`]);
      const counted = graph.node("Cast", [above], [`${p}/above_float`], { to: onnx.TensorProto.DataType.FLOAT });
      const below = graph.node(
        "ReduceSum",
        [counted, graph.tensor(`${p}/sum_axes`, [1], [1], "int64")],
        [`${p}/cuts_below`],
        { keepdims: 0 },
      );
      return graph.node("Add", [below, one], [`${p}/present`]);
    }
    case "categorical":
    case "boolean":
      return graph.node("Add", [code, graph.scalar(`${p}/one`, 1)], [`${p}/present`]);
    default:
      return assertNever(input);
  }
}

/** The largest float32 not above `x`: for a float32 v, `v > x` holds exactly when `v > float32AtMost(x)`. */
export function float32AtMost(x: number): number {
  const f = Math.fround(x);
  if (f <= x) return f;
  const bits = new Float32Array([f]);
  const view = new Int32Array(bits.buffer);
  view[0]! += f > 0 ? -1 : 1;
  return bits[0]!;
}
