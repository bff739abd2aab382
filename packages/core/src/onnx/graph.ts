import { onnx, type NodeProto } from "./proto.ts";

type TensorProto = InstanceType<typeof onnx.TensorProto>;
type ElementType = "float" | "double" | "int64";
/** Attribute values: numbers (int, or float when the name ends in `_float`), strings, floats; `ints` and `doubles` (a double tensor) tagged. */
export type AttributeValue = number | string | string[] | number[] | { ints: number[] } | { doubles: number[] };

/**
 * Just enough ONNX graph building for our exporters: nodes with typed attributes, float and int64
 * constants. Names are given by the caller, so the bytes depend only on the model (a seeded
 * retrain reproduces the file exactly).
 *
 * @example
 *   const graph = new GraphBuilder();
 *   const y = graph.node("Add", ["x", graph.scalar("one", 1)], ["y"]);
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];

  /** Adds a node and returns its (first) output name. Integer attributes must be integral numbers. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes: Record<string, AttributeValue> = {},
    domain = "",
  ): string {
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        domain,
        name: `${outputs[0]}/${opType}`,
        input: inputs,
        output: outputs,
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    );
    return outputs[0]!;
  }

  scalar(name: string, value: number, type: ElementType = "float"): string {
    return this.tensor(name, [], [value], type);
  }

  tensor(name: string, dims: number[], values: number[], type: ElementType = "float"): string {
    const { DataType } = onnx.TensorProto;
    this.initializers.push(
      type === "float"
        ? onnx.TensorProto.create({ name, dims, dataType: DataType.FLOAT, floatData: values })
        : type === "double"
          ? onnx.TensorProto.create({ name, dims, dataType: DataType.DOUBLE, doubleData: values })
          : onnx.TensorProto.create({ name, dims, dataType: DataType.INT64, int64Data: values }),
    );
    return name;
  }
}

function attribute(name: string, value: AttributeValue) {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === "number") {
    // ONNX types the attribute by name; the float ones our exporters use end in `_float`.
    return name.endsWith("_float")
      ? { name, type: AttributeType.FLOAT, f: value }
      : { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: Buffer.from(value, "utf8") };
  if ("ints" in value) return { name, type: AttributeType.INTS, ints: value.ints };
  if ("doubles" in value)
    return {
      name,
      type: AttributeType.TENSOR,
      t: onnx.TensorProto.create({
        dims: [value.doubles.length],
        dataType: onnx.TensorProto.DataType.DOUBLE,
        doubleData: value.doubles,
      }),
    };
  if (value.every((v) => typeof v === "string")) {
    return { name, type: AttributeType.STRINGS, strings: (value as string[]).map((s) => Buffer.from(s, "utf8")) };
  }
  return { name, type: AttributeType.FLOATS, floats: value as number[] };
}

/** A graph input or output `[N, width]` of the given element type. */
export function valueInfo(name: string, elemType: number, width: number) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: "N" }, { dimValue: width }] } } },
  };
}
