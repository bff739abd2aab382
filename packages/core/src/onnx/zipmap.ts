import { onnx, type ModelProto } from "./proto.ts";

/**
 * skl2onnx and onnxmltools end classifiers with a ZipMap node, whose output is a sequence of maps
 * ({label: probability} per row). onnxruntime-node cannot return non-tensor values ("Non tensor type
 * is temporarily not supported"), so the session would fail at `run`. This rewrite drops each
 * ZipMap that feeds a graph output and exposes the float tensor it consumed ([N, classes]) under
 * the same output name. Returns whether anything changed.
 */
export function unwrapZipMapOutputs(model: ModelProto): boolean {
  const nodes = model.graph?.node;
  const outputs = model.graph?.output;
  if (!nodes || !outputs) return false;
  let changed = false;
  for (const node of [...nodes]) {
    if (node.opType !== "ZipMap" || node.domain !== "ai.onnx.ml") continue;
    const [probabilities] = node.input ?? [];
    const [mapped] = node.output ?? [];
    const outputIndex = outputs.findIndex((o) => o.name === mapped);
    if (!probabilities || !mapped || outputIndex < 0) continue;
    nodes.splice(nodes.indexOf(node), 1);
    outputs[outputIndex] = onnx.ValueInfoProto.create({
      name: probabilities,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: "N" }, {}] } } },
    });
    changed = true;
  }
  return changed;
}
