export { onnx, decodeModel, encodeModel } from "./proto.ts";
export type { ModelProto, GraphProto, NodeProto } from "./proto.ts";
export { unwrapZipMapOutputs } from "./zipmap.ts";
export { GraphBuilder, valueInfo, type AttributeValue } from "./graph.ts";
