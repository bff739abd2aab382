import type * as Ort from "onnxruntime-node";
import { RetainwiseError } from "../errors.ts";
import type { TermTablesCard } from "./card.ts";
import type { Factor, FeaturesInput, ModelInput, ModelOutput } from "./churn-model.ts";
import { onnxruntime } from "./onnxruntime.ts";
import { assertNever, type ModelInputSpec } from "./term-model.ts";

const FEATURES_INPUT = "features";
const CONTRIBUTIONS_OUTPUT = "contributions";

/** What loadModel needs from a term-tables model beyond the generic fields. */
export interface TermTablesRunner {
  inputs: ModelInput[];
  factors: Factor[];
  run(columns: Record<string, Float32Array | string[]>, rows: number): Promise<ModelOutput>;
  features: FeaturesInput;
}

/**
 * Scoring a `term-tables/1` model (docs/MODEL-FORMAT.md): the batch's columns become codes in one
 * [N,F] float32 `features` tensor, onnxruntime gives one contribution per term, and the probability
 * is `sigmoid(intercept + Σ contributions)` summed in float64 in term order, so a row gets the same
 * probability in any batch, position or thread. Each term is one reason, naming the cells it reads.
 */
export function termTablesRunner(session: Ort.InferenceSession, card: TermTablesCard, path: string): TermTablesRunner {
  checkSession(session, card, path);
  const coders = card.inputs.map(coderFor);
  const width = card.inputs.length;
  const terms = card.terms.length;
  const { intercept } = card;
  const { Tensor } = onnxruntime();
  const features: FeaturesInput = {
    coders,
    async run(codes, rows) {
      const result = await session.run({ [FEATURES_INPUT]: new Tensor("float32", codes, [rows, width]) }, [
        CONTRIBUTIONS_OUTPUT,
      ]);
      const contributions = result[CONTRIBUTIONS_OUTPUT]!.data as Float32Array;
      return { probabilities: probabilitiesOf(contributions, rows, terms, intercept), contributions };
    },
  };
  return {
    inputs: card.inputs.map((input) => ({ name: input.name, kind: kindOf(input), label: input.label })),
    factors: card.terms.map((term) => factorOf(term.inputs, card)),
    features,
    run(columns, rows) {
      const codes = new Float32Array(rows * width);
      card.inputs.forEach((input, i) => {
        encode(columns[input.name]!, coders[i], codes, i, width, rows);
      });
      return features.run(codes, rows);
    },
  };
}

/** The cells a term reads; a derived input (index past the card inputs) is a subject adding up its inputs' numbers. */
function factorOf(inputs: readonly number[], card: TermTablesCard): Factor {
  const width = card.inputs.length;
  if (inputs.every((i) => i < width)) return { inputs: [...inputs] };
  const subjects = inputs.map((i) =>
    i < width
      ? { label: card.inputs[i]!.label, sumOf: [i] }
      : { label: card.derived![i - width]!.label, sumOf: card.derived![i - width]!.sumOf },
  );
  return { inputs: [...new Set(subjects.flatMap((s) => s.sumOf))], subjects };
}

/** sigmoid(intercept + Σ contributions), summed in float64 in term order. */
function probabilitiesOf(contributions: Float32Array, rows: number, terms: number, intercept: number): Float64Array {
  const probabilities = new Float64Array(rows);
  for (let r = 0, at = 0; r < rows; r++) {
    let logit = intercept;
    for (let t = 0; t < terms; t++, at++) logit += contributions[at]!;
    probabilities[r] = 1 / (1 + Math.exp(-logit));
  }
  return probabilities;
}

function kindOf(input: ModelInputSpec): ModelInput["kind"] {
  switch (input.role) {
    case "numeric":
      return "number";
    case "categorical":
    case "boolean":
      return "string";
    default:
      return assertNever(input);
  }
}

function coderFor(input: ModelInputSpec): ((cell: string) => number) | undefined {
  switch (input.role) {
    case "numeric":
      return undefined;
    case "categorical":
    case "boolean":
      return categoryCoder(input.categories);
    default:
      return assertNever(input);
  }
}

/** Writes one input's codes into column `at` of the row-major features. */
function encode(
  column: Float32Array | string[],
  coder: ((cell: string) => number) | undefined,
  codes: Float32Array,
  at: number,
  width: number,
  rows: number,
): void {
  for (let r = 0; r < rows; r++)
    codes[r * width + at] = coder ? coder((column as string[])[r]!) : (column as Float32Array)[r]!;
}

/**
 * A cell's level index, after trimming: exact match first, then case-insensitive (`month-to-month`);
 * an unseen value is "other" (`categories.length`), a blank is NaN. A cell that is exactly a level
 * (the common case) is found without a trimmed copy.
 */
export function categoryCoder(categories: readonly string[]): (cell: string) => number {
  const exact = new Map(categories.map((c, i) => [c, i]));
  const folded = new Map<string, number>();
  categories.forEach((c, i) => {
    if (!folded.has(c.toLowerCase())) folded.set(c.toLowerCase(), i);
  });
  const other = categories.length;
  return (cell) => {
    const code = exact.get(cell);
    if (code !== undefined && cell !== "") return code;
    const text = cell.trim();
    return text === "" ? Number.NaN : (exact.get(text) ?? folded.get(text.toLowerCase()) ?? other);
  };
}

function checkSession(session: Ort.InferenceSession, card: TermTablesCard, path: string): void {
  const input = session.inputMetadata[0];
  const output = session.outputMetadata.find((m) => m.name === CONTRIBUTIONS_OUTPUT);
  const fits =
    session.inputNames.length === 1 &&
    input?.name === FEATURES_INPUT &&
    input.isTensor &&
    input.shape[1] === card.inputs.length &&
    output?.isTensor === true &&
    output.shape[1] === card.terms.length;
  if (!fits) {
    throw new RetainwiseError(
      "model.card_mismatch",
      `The model ${path} does not match its term-tables/1 card: expected one input "features" [N,${card.inputs.length}] and an output "contributions" [N,${card.terms.length}]. Export the model and card together (retainwise train).`,
    );
  }
}
