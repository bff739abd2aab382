import type * as Ort from "onnxruntime-node";

/**
 * onnxruntime-node, loaded when the first model is, not when this package is imported: its native
 * addon is memory and start-up time the API role, migrations and key commands never need (issue
 * 13). Tensors are only built for a session, and sessions only come from `loadOnnxruntime()`.
 */
let loaded: typeof Ort | undefined;

export async function loadOnnxruntime(): Promise<typeof Ort> {
  loaded ??= await import("onnxruntime-node");
  return loaded;
}

/** The module, once a model has loaded it (scoring a batch always follows loading its model). */
export function onnxruntime(): typeof Ort {
  if (!loaded) throw new Error("onnxruntime is used before any model was loaded");
  return loaded;
}
