import { GraphBuilder, valueInfo } from "../onnx/graph.ts";
import { onnx } from "../onnx/proto.ts";
import type { AdditiveModel, CategoricalTerm, NumericTerm } from "./model.ts";

/**
 * Exports the additive model as an ONNX graph in the standard domains only (ai.onnx opset 15,
 * ai.onnx.ml opset 2), following the skl2onnx input convention the scoring core expects:
 *
 *   inputs   one per raw column, `[N,1]`, string (categoricals) or float32 (numerics, NaN = blank)
 *   outputs  `probabilities` float32 [N,2]  (column 0 = no churn, column 1 = churn)
 *            `contributions` float32 [N,F]  (log-odds contribution of each input, in input order)
 *
 * Categoricals are one ml.LabelEncoder each, mapping a category straight to its contribution
 * (unknown or blank -> 0, i.e. "average"). Numerics: IsNaN/Where imputation, standardisation,
 * Relu hinges at the knots, MatMul with the spline weights. The bytes depend only on the model,
 * name and version (no timestamps), so a seeded retrain reproduces the file exactly.
 */
export function exportOnnx(model: AdditiveModel, meta: { name: string; version: string }): Uint8Array {
  const graph = new GraphBuilder();
  const contributions = model.terms.map((term) => (term.type === "string" ? categorical(graph, term) : numeric(graph, term)));
  graph.node("Concat", contributions, ["contributions"], { axis: 1 });
  const sum = graph.node("ReduceSum", ["contributions", graph.tensor("reduce_axes", [1], [1], "int64")], ["rw/logit_sum"], { keepdims: 1 });
  const logit = graph.node("Add", [sum, graph.scalar("intercept", model.intercept)], ["rw/logit"]);
  const churn = graph.node("Sigmoid", [logit], ["rw/p_churn"]);
  const stay = graph.node("Sub", [graph.scalar("one", 1), churn], ["rw/p_stay"]);
  graph.node("Concat", [stay, churn], ["probabilities"], { axis: 1 });

  const modelProto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "retainwise",
    producerVersion: meta.version,
    modelVersion: 1,
    docString: `${meta.name} ${meta.version}: additive logistic churn model (see docs/MODEL.md)`,
    opsetImport: [
      { domain: "", version: 15 },
      { domain: "ai.onnx.ml", version: 2 },
    ],
    metadataProps: [
      { key: "name", value: meta.name },
      { key: "version", value: meta.version },
    ],
    graph: onnx.GraphProto.create({
      name: meta.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: model.terms.map((t) => valueInfo(t.name, t.type === "string" ? onnx.TensorProto.DataType.STRING : onnx.TensorProto.DataType.FLOAT, 1)),
      output: [valueInfo("probabilities", onnx.TensorProto.DataType.FLOAT, 2), valueInfo("contributions", onnx.TensorProto.DataType.FLOAT, model.terms.length)],
    }),
  });
  return onnx.ModelProto.encode(modelProto).finish();
}

function categorical(graph: GraphBuilder, term: CategoricalTerm): string {
  return graph.node("LabelEncoder", [term.name], [`rw/${term.name}/contribution`], {
    keys_strings: term.categories,
    values_floats: term.weights.map((w) => w - term.baseline),
    default_float: 0,
  }, "ai.onnx.ml");
}

function numeric(graph: GraphBuilder, term: NumericTerm): string {
  const p = `rw/${term.name}`;
  const missing = graph.node("IsNaN", [term.name], [`${p}/missing`]);
  const filled = graph.node("Where", [missing, graph.scalar(`${p}/impute`, term.impute), term.name], [`${p}/filled`]);
  const centred = graph.node("Sub", [filled, graph.scalar(`${p}/center`, term.center)], [`${p}/centred`]);
  const z = graph.node("Div", [centred, graph.scalar(`${p}/scale`, term.scale)], [`${p}/z`]);
  let basis = z;
  if (term.knots.length > 0) {
    const shifted = graph.node("Sub", [z, graph.tensor(`${p}/knots`, [1, term.knots.length], term.knots)], [`${p}/shifted`]);
    const hinges = graph.node("Relu", [shifted], [`${p}/hinges`]);
    basis = graph.node("Concat", [z, hinges], [`${p}/basis`], { axis: 1 });
  }
  const f = graph.node("MatMul", [basis, graph.tensor(`${p}/weights`, [term.weights.length, 1], term.weights)], [`${p}/f`]);
  return graph.node("Sub", [f, graph.scalar(`${p}/baseline`, term.baseline)], [`${p}/contribution`]);
}
