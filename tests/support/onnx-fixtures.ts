/**
 * Small bring-your-own-model fixtures, built in code with onnx-proto so a test states the exact
 * function the model computes and can check probabilities by hand.
 *
 * Every fixture is the same logistic model over two Telco columns:
 *   logit = CONTRACT_WEIGHT[Contract] (unknown -> 0) + TENURE_WEIGHT * tenure + BIAS,  p = sigmoid(logit)
 * and differs only in how it hands the probability back:
 *   "zipmap"   skl2onnx style: `output_label` int64 [N] and `output_probability` = ZipMap([N,2], classlabels_int64s [0,1])
 *   "column"   one float output `churn_probability` [N,1]
 *   "tensor"   one float output `probabilities` [N,2], no ZipMap, no contributions
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeModel, onnx, type NodeProto } from "@retainwise/core";

export const CONTRACT_WEIGHT: Readonly<Record<string, number>> = {
  "Month-to-month": 1.25,
  "One year": -0.5,
  "Two year": -1.75,
};
export const TENURE_WEIGHT = -0.04;
export const BIAS = -0.3;

export type FixtureKind = "zipmap" | "column" | "tensor";

/** The churn probability the fixture models compute, in float64. */
export function expectedProbability(contract: string, tenure: number): number {
  const logit = (CONTRACT_WEIGHT[contract] ?? 0) + TENURE_WEIGHT * tenure + BIAS;
  return 1 / (1 + Math.exp(-logit));
}

/** Writes the fixture model into `dir` as `<kind>.onnx` and returns its path. */
export function writeFixtureModel(dir: string, kind: FixtureKind): string {
  const path = join(dir, `${kind}.onnx`);
  writeFileSync(path, buildFixtureModel(kind));
  return path;
}

export function buildFixtureModel(kind: FixtureKind): Uint8Array {
  const { FLOAT, STRING, INT64 } = onnx.TensorProto.DataType;
  const nodes: NodeProto[] = [
    node(
      "LabelEncoder",
      ["Contract"],
      ["contract_logit"],
      [
        {
          name: "keys_strings",
          type: onnx.AttributeProto.AttributeType.STRINGS,
          strings: Object.keys(CONTRACT_WEIGHT).map((k) => Buffer.from(k)),
        },
        {
          name: "values_floats",
          type: onnx.AttributeProto.AttributeType.FLOATS,
          floats: Object.values(CONTRACT_WEIGHT),
        },
        { name: "default_float", type: onnx.AttributeProto.AttributeType.FLOAT, f: 0 },
      ],
      "ai.onnx.ml",
    ),
    node("Mul", ["tenure", "tenure_weight"], ["tenure_logit"]),
    node("Add", ["contract_logit", "tenure_logit"], ["logit_no_bias"]),
    node("Add", ["logit_no_bias", "bias"], ["logit"]),
    node("Sigmoid", ["logit"], [kind === "column" ? "churn_probability" : "p_churn"]),
  ];
  let outputs: NonNullable<Parameters<typeof onnx.ValueInfoProto.create>[0]>[];
  if (kind === "column") {
    outputs = [tensorInfo("churn_probability", FLOAT, 1)];
  } else {
    const probabilities = kind === "zipmap" ? "probability_tensor" : "probabilities";
    nodes.push(
      node("Sub", ["one", "p_churn"], ["p_stay"]),
      node("Concat", ["p_stay", "p_churn"], [probabilities], [int("axis", 1)]),
    );
    outputs = [tensorInfo(probabilities, FLOAT, 2)];
    if (kind === "zipmap") {
      nodes.push(
        node("ArgMax", [probabilities], ["output_label"], [int("axis", 1), int("keepdims", 0)]),
        node(
          "ZipMap",
          [probabilities],
          ["output_probability"],
          [{ name: "classlabels_int64s", type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 1] }],
          "ai.onnx.ml",
        ),
      );
      outputs = [
        { name: "output_label", type: { tensorType: { elemType: INT64, shape: { dim: [{ dimParam: "N" }] } } } },
        {
          name: "output_probability",
          type: {
            sequenceType: { elemType: { mapType: { keyType: INT64, valueType: { tensorType: { elemType: FLOAT } } } } },
          },
        },
      ];
    }
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "skl2onnx",
    opsetImport: [
      { domain: "", version: 15 },
      { domain: "ai.onnx.ml", version: 2 },
    ],
    graph: onnx.GraphProto.create({
      name: `fixture-${kind}`,
      node: nodes,
      initializer: [
        scalar("tenure_weight", TENURE_WEIGHT),
        scalar("bias", BIAS),
        ...(kind === "column" ? [] : [scalar("one", 1)]),
      ],
      input: [tensorInfo("Contract", STRING, 1), tensorInfo("tenure", FLOAT, 1)],
      output: outputs,
    }),
  });
  return encodeModel(model);
}

function node(opType: string, input: string[], output: string[], attribute: object[] = [], domain = ""): NodeProto {
  return onnx.NodeProto.create({ opType, input, output, attribute, domain, name: `${output[0]}/${opType}` });
}

function int(name: string, i: number) {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

function scalar(name: string, value: number) {
  return onnx.TensorProto.create({ name, dims: [], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [value] });
}

function tensorInfo(name: string, elemType: number, width: number) {
  return { name, type: { tensorType: { elemType, shape: { dim: [{ dimParam: "N" }, { dimValue: width }] } } } };
}
