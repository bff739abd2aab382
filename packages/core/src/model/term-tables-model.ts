import * as ort from "onnxruntime-node";
import { RetainwiseError } from "../errors.ts";
import type { TermTablesCard } from "./card.ts";
import type { Factor, ModelInput, ModelOutput } from "./churn-model.ts";
import { assertNever, type ModelInputSpec } from "./term-model.ts";

const FEATURES_INPUT = "features";
const CONTRIBUTIONS_OUTPUT = "contributions";

/** What loadModel needs from a term-tables model beyond the generic fields. */
export interface TermTablesRunner {
  inputs: ModelInput[];
  factors: Factor[];
  run(columns: Record<string, Float32Array | string[]>, rows: number): Promise<ModelOutput>;
}

/**
 * Scoring a `term-tables/1` model (docs/MODEL-FORMAT.md): the batch's columns become codes in one
 * [N,F] float32 `features` tensor, onnxruntime gives one contribution per term, and the probability
 * is `sigmoid(intercept + Σ contributions)` summed in float64 in term order, so a row gets the same
 * probability in any batch, position or thread. Each term is one reason, naming the cells it reads.
 */
export function termTablesRunner(session: ort.InferenceSession, card: TermTablesCard, path: string): TermTablesRunner {
  checkSession(session, card, path);
  const encoders = card.inputs.map(encoderFor);
  const width = card.inputs.length;
  const terms = card.terms.length;
  return {
    inputs: card.inputs.map((input) => ({ name: input.name, kind: kindOf(input), label: input.label })),
    factors: card.terms.map((term) => ({ inputs: [...term.inputs] })),
    async run(columns, rows) {
      const features = new Float32Array(rows * width);
      card.inputs.forEach((input, i) => encoders[i]!(columns[input.name]!, features, i, width, rows));
      const result = await session.run({ [FEATURES_INPUT]: new ort.Tensor("float32", features, [rows, width]) }, [CONTRIBUTIONS_OUTPUT]);
      const contributions = result[CONTRIBUTIONS_OUTPUT]!.data as Float32Array;
      const probabilities = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let logit = card.intercept;
        for (let t = 0; t < terms; t++) logit += contributions[r * terms + t]!;
        probabilities[r] = 1 / (1 + Math.exp(-logit));
      }
      return { probabilities, contributions };
    },
  };
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

type Encoder = (column: Float32Array | string[], features: Float32Array, at: number, width: number, rows: number) => void;

/** Writes one input's codes into column `at` of the row-major features. */
function encoderFor(input: ModelInputSpec): Encoder {
  switch (input.role) {
    case "numeric":
      return (column, features, at, width, rows) => {
        const values = column as Float32Array;
        for (let r = 0; r < rows; r++) features[r * width + at] = values[r]!;
      };
    case "categorical":
    case "boolean": {
      const code = categoryCoder(input.categories);
      return (column, features, at, width, rows) => {
        const cells = column as string[];
        for (let r = 0; r < rows; r++) features[r * width + at] = code(cells[r]!);
      };
    }
    default:
      return assertNever(input);
  }
}

/**
 * A trimmed cell's level index: exact match first, then case-insensitive (`month-to-month`); an
 * unseen value is "other" (`categories.length`), a blank is NaN.
 */
export function categoryCoder(categories: readonly string[]): (cell: string) => number {
  const exact = new Map(categories.map((c, i) => [c, i]));
  const folded = new Map<string, number>();
  categories.forEach((c, i) => {
    if (!folded.has(c.toLowerCase())) folded.set(c.toLowerCase(), i);
  });
  const other = categories.length;
  return (cell) => (cell === "" ? Number.NaN : (exact.get(cell) ?? folded.get(cell.toLowerCase()) ?? other));
}

function checkSession(session: ort.InferenceSession, card: TermTablesCard, path: string): void {
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
