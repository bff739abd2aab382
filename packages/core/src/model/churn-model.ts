import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type * as Ort from "onnxruntime-node";
import { RetainwiseError } from "../errors.ts";
import { decodeModel, encodeModel, unwrapZipMapOutputs } from "../onnx/index.ts";
import {
  cardPathFor,
  isTermTablesCard,
  readModelCard,
  riskThresholds,
  type ModelCard,
  type RiskThresholds,
} from "./card.ts";
import { loadOnnxruntime, onnxruntime } from "./onnxruntime.ts";
import { termTablesRunner } from "./term-tables-model.ts";

/**
 * A churn classifier ready to score column-wise batches. Two kinds: our `term-tables/1` models
 * (card + ONNX, term-tables-model.ts: one reason per term) and any model that follows the skl2onnx
 * convention — one named input per raw column, shape [N,1], string or numeric — with a
 * positive-class probability output; its reasons come from an optional `contributions` [N,F]
 * output, one factor per input.
 *
 * @example
 *   const model = await loadModel("models/churn-v1.onnx");
 *   const { probabilities } = await model.run({ tenure: new Float32Array([1]), Contract: ["Month-to-month"], … }, 1);
 */
export interface ChurnModel {
  version: string;
  /** What it was loaded from, so a scoring thread can load the same model (from bytes, not a path). */
  source: ModelBytes;
  card: ModelCard | undefined;
  thresholds: RiskThresholds;
  inputs: ModelInput[];
  /** What each contribution is about: one factor per term (term-tables) or per input (generic). */
  factors: Factor[];
  hasContributions: boolean;
  run(columns: Record<string, Float32Array | string[]>, rows: number): Promise<ModelOutput>;
  /** Term-tables models: the one `features` tensor, for a caller that fills the codes itself (the scoring pipeline). */
  features?: FeaturesInput;
  release(): Promise<void>;
}

/**
 * A model fed one float32 `features` [N,F] tensor of codes (docs/MODEL-FORMAT.md): numbers as read,
 * categorical cells through `coders[i]`.
 */
export interface FeaturesInput {
  /** Per input: a categorical input's cell -> code; undefined for a numeric input (its number is the code). */
  coders: (((cell: string) => number) | undefined)[];
  /** `features` row-major [rows, inputs.length]. */
  run(features: Float32Array, rows: number): Promise<ModelOutput>;
}

export interface ModelInput {
  name: string;
  kind: "string" | "number";
  /** How the column reads in reasons ("Tenure (months)"); the column name without a card. */
  label: string;
}

/** One reason's subject: the inputs whose cells its contribution depends on (`Age is 58 and Active member is No`). */
export interface Factor {
  /** Indexes into `ChurnModel.inputs`. */
  inputs: number[];
  /**
   * What the reason names, one subject per entry, when a subject is computed from several inputs
   * (a derived sum: `Total charge (day + eve + night + intl) is 75.56`); without it, each input is a subject.
   */
  subjects?: FactorSubject[];
}

/** A reason's subject: its label and the inputs (indexes into `ChurnModel.inputs`) whose numbers it adds up. */
export interface FactorSubject {
  label: string;
  sumOf: number[];
}

export interface ModelOutput {
  /** Churn probability per row. */
  probabilities: Float32Array | Float64Array;
  /** Row-major [rows, factors.length] log-odds contributions, when the model has them. */
  contributions: Float32Array | undefined;
}

/** A model as bytes: the ONNX file and its card (models trained per account live in the object store, not on disk). */
export interface ModelBytes {
  onnx: Uint8Array;
  card: ModelCard | undefined;
}

export interface LoadModelOptions {
  /** Defaults to the card beside the model (`cardPathFor`), if there is one. */
  cardPath?: string;
  /** onnxruntime intra-op threads; 1 leaves the other core to CSV parsing and serialisation. */
  threads?: number;
  /** What the output's `model_version` says (default: the card's version, else the file name). */
  version?: string;
}

const CONTRIBUTIONS_OUTPUT = "contributions";

export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<ChurnModel> {
  const onnx = await readModelBytes(path);
  const card = await readModelCard(options.cardPath ?? cardPathFor(path), { required: options.cardPath !== undefined });
  return loadModelFromBytes(
    { onnx, card },
    {
      threads: options.threads,
      name: path,
      version: options.version ?? card?.version ?? basename(path).replace(/\.onnx$/i, ""),
    },
  );
}

export interface LoadFromBytesOptions {
  threads?: number | undefined;
  /** How errors name the model (a path, or `bank-v2`). */
  name?: string;
  /** What the output's `model_version` says; defaults to the card's version. */
  version?: string;
}

/**
 * A model from its bytes and card, as stored for a trained model or sent to a scoring thread.
 *
 * @example const model = await loadModelFromBytes({ onnx, card }, { version: "bank-v2" });
 */
export async function loadModelFromBytes(source: ModelBytes, options: LoadFromBytesOptions = {}): Promise<ChurnModel> {
  const { card } = source;
  const name = options.name ?? options.version ?? card?.version ?? "model";
  const session = await createSession(source.onnx, name, options.threads ?? 1);
  const common = {
    version: options.version ?? card?.version ?? name,
    source,
    card,
    thresholds: riskThresholds(card),
    release: () => session.release(),
  };
  if (isTermTablesCard(card)) return { ...common, ...termTablesRunner(session, card, name), hasContributions: true };
  const inputs = describeInputs(session, card);
  const probabilityOutput = findProbabilityOutput(session, name);
  const hasContributions = session.outputNames.includes(CONTRIBUTIONS_OUTPUT);
  const fetches = hasContributions ? [probabilityOutput.name, CONTRIBUTIONS_OUTPUT] : [probabilityOutput.name];
  const kinds = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : "unknown"]));

  return {
    ...common,
    inputs,
    factors: inputs.map((_, i) => ({ inputs: [i] })),
    hasContributions,
    async run(columns, rows) {
      const feeds: Record<string, Ort.Tensor> = {};
      for (const input of inputs) feeds[input.name] = toTensor(columns[input.name]!, kinds.get(input.name)!, rows);
      const result = await session.run(feeds, fetches);
      return {
        probabilities: positiveClass(result[probabilityOutput.name]!, rows, probabilityOutput.columns),
        contributions: hasContributions ? (result[CONTRIBUTIONS_OUTPUT]!.data as Float32Array) : undefined,
      };
    },
  };
}

async function readModelBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new RetainwiseError("model.not_found", `The model file ${path} could not be read. Check the --model path.`, {
      cause,
    });
  }
}

async function createSession(bytes: Uint8Array, path: string, threads: number): Promise<Ort.InferenceSession> {
  let model = bytes;
  try {
    const proto = decodeModel(bytes);
    if (unwrapZipMapOutputs(proto)) model = encodeModel(proto);
  } catch (cause) {
    throw new RetainwiseError("model.invalid", `The model file ${path} is not a valid ONNX model.`, { cause });
  }
  try {
    const ort = await loadOnnxruntime();
    return await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
  } catch (cause) {
    throw new RetainwiseError("model.invalid", `onnxruntime could not load ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function describeInputs(
  session: Ort.InferenceSession,
  card: Exclude<ModelCard, { format: string }> | undefined,
): ModelInput[] {
  const labels = new Map(card?.inputs.map((i) => [i.name, i.label ?? i.name]));
  return session.inputMetadata.map((meta) => {
    if (!meta.isTensor)
      throw new RetainwiseError(
        "model.unsupported",
        `Model input ${meta.name} is not a tensor; only tensor inputs are supported.`,
      );
    return {
      name: meta.name,
      kind: meta.type === "string" ? "string" : "number",
      label: labels.get(meta.name) ?? meta.name,
    };
  });
}

/** The float tensor output carrying class probabilities: named like one if possible, never `contributions`. */
function findProbabilityOutput(session: Ort.InferenceSession, path: string): { name: string; columns: number } {
  const candidates = session.outputMetadata.filter(
    (m): m is Ort.InferenceSession.TensorValueMetadata =>
      m.isTensor && (m.type === "float32" || m.type === "float64") && m.name !== CONTRIBUTIONS_OUTPUT,
  );
  const chosen = candidates.find((m) => /prob/i.test(m.name)) ?? candidates[0];
  if (!chosen)
    throw new RetainwiseError("model.no_probability_output", `The model ${path} has no float probability output.`);
  const width = chosen.shape[1];
  return { name: chosen.name, columns: typeof width === "number" ? width : 2 };
}

function toTensor(column: Float32Array | string[], type: string, rows: number): Ort.Tensor {
  const { Tensor } = onnxruntime();
  if (type === "string") return new Tensor("string", column as string[], [rows, 1]);
  const values = column as Float32Array;
  if (type === "float32") return new Tensor("float32", values, [rows, 1]);
  if (type === "float64") return new Tensor("float64", Float64Array.from(values), [rows, 1]);
  if (type === "int64")
    return new Tensor(
      "int64",
      BigInt64Array.from(values, (x) => BigInt(Number.isFinite(x) ? Math.round(x) : 0)),
      [rows, 1],
    );
  if (type === "int32")
    return new Tensor(
      "int32",
      Int32Array.from(values, (x) => (Number.isFinite(x) ? Math.round(x) : 0)),
      [rows, 1],
    );
  throw new RetainwiseError(
    "model.unsupported",
    `Model input type ${type} is not supported (use string, float, double or int64).`,
  );
}

/** [N,2] -> column 1; [N,1] or [N] -> as is. */
function positiveClass(tensor: Ort.Tensor, rows: number, declaredColumns: number): Float32Array {
  const data = tensor.data as Float32Array | Float64Array;
  const columns = tensor.dims.length > 1 ? tensor.dims[1]! : declaredColumns === 2 && data.length === rows * 2 ? 2 : 1;
  if (columns === 1) return data instanceof Float32Array ? data : Float32Array.from(data);
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) out[i] = data[i * columns + columns - 1]!;
  return out;
}
