import { readFile } from "node:fs/promises";
import * as v from "valibot";
import { RetainwiseError } from "../errors.ts";
import { binCount, termInputs } from "./term-model.ts";

/** The card's inputs, derived ones after the columns: re-exported here so light entry points (the API) need not load the model module. */
export { termInputs };

/**
 * The model card: a JSON file beside the model (`churn-v1.onnx` -> `churn-v1.card.json`).
 * The trainer writes it; the scoring core reads the risk thresholds and the human-readable
 * factor labels from it. A model without a card still scores (bring-your-own models), with the
 * default thresholds and raw column names.
 *
 * Two kinds of card:
 * - `term-tables/1` (ours, docs/MODEL-FORMAT.md): the card holds the model itself (intercept, binned
 *   inputs, term tables) and the ONNX file takes one `features` [N,F] input and gives
 *   `contributions` [N,T];
 * - no `format` (skl2onnx-style models): one ONNX input per raw column, named as `inputs[i].name`,
 *   shape [N,1], string or float32; an output with the positive-class probability; optionally
 *   `contributions` [N,F], one log-odds contribution per input in the session's input order.
 */
export const RiskThresholdsSchema = v.pipe(
  v.object({
    /** probability >= high -> "High" */
    high: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    /** medium <= probability < high -> "Medium"; below -> "Low" */
    medium: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  }),
  v.check((t) => t.medium <= t.high, "thresholds.medium must not exceed thresholds.high"),
);
export type RiskThresholds = v.InferOutput<typeof RiskThresholdsSchema>;

/** Used when a model has no card. One place: everything else asks `riskThresholds(card)`. */
export const DEFAULT_RISK_THRESHOLDS: RiskThresholds = { high: 0.6, medium: 0.3 };

const CardInputSchema = v.object({
  name: v.string(),
  type: v.picklist(["string", "float"]),
  /** How the factor reads in reasons: `Contract is Month-to-month (+0.82)`. */
  label: v.optional(v.string()),
  categories: v.optional(v.array(v.string())),
  /** Training mean (numerics), used for imputing blanks and as the contribution baseline. */
  mean: v.optional(v.number()),
});

const MetricsSchema = v.object({
  auc: v.number(),
  brier: v.number(),
  accuracy: v.number(),
  logLoss: v.optional(v.number()),
  rows: v.number(),
  calibration: v.array(
    v.object({
      binStart: v.number(),
      binEnd: v.number(),
      count: v.number(),
      meanPredicted: v.number(),
      observedRate: v.number(),
    }),
  ),
});

const CommonCardEntries = {
  name: v.string(),
  version: v.string(),
  created: v.string(),
  description: v.optional(v.string()),
  algorithm: v.optional(v.string()),
  trainingData: v.object({
    file: v.optional(v.string()),
    sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    rows: v.number(),
    positiveRate: v.optional(v.number()),
  }),
  label: v.object({ column: v.string(), positive: v.string() }),
  thresholds: RiskThresholdsSchema,
  metrics: v.optional(v.object({ heldOut: MetricsSchema, training: v.optional(MetricsSchema) })),
  hyperparameters: v.optional(v.record(v.string(), v.unknown())),
};

/** A card for a model with one ONNX input per raw column (skl2onnx style; no `format`). */
const ColumnsCardSchema = v.object({ ...CommonCardEntries, inputs: v.array(CardInputSchema) });

/** Share of the training rows in each bin of the input (bin order as in docs/MODEL-FORMAT.md): the reference drift is measured against. Optional. */
const BinSharesEntry = { binShares: v.optional(v.array(v.number())) };

const CutsSchema = v.pipe(
  v.array(v.pipe(v.number(), v.finite())),
  v.check((cuts) => cuts.every((c, k) => k === 0 || cuts[k - 1]! < c), "cuts must be strictly ascending"),
);

const TermInputSchema = v.variant("role", [
  v.object({
    role: v.literal("numeric"),
    name: v.string(),
    label: v.string(),
    cuts: CutsSchema,
    ...BinSharesEntry,
  }),
  v.object({
    role: v.picklist(["categorical", "boolean"]),
    name: v.string(),
    label: v.string(),
    categories: v.pipe(
      v.array(v.string()),
      v.check((levels) => new Set(levels).size === levels.length, "categories must be distinct"),
    ),
    ...BinSharesEntry,
  }),
]);

/** An input the model computes: the sum of numeric card inputs (docs/MODEL-FORMAT.md, derived inputs). */
const DerivedInputSchema = v.object({
  role: v.literal("numeric"),
  name: v.string(),
  label: v.string(),
  sumOf: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0))), v.minLength(2)),
  cuts: CutsSchema,
  ...BinSharesEntry,
});

const TableSchema = v.array(v.pipe(v.number(), v.finite()));
const TermSchema = v.variant("kind", [
  v.object({ kind: v.literal("main"), inputs: v.tuple([v.number()]), table: TableSchema }),
  v.object({ kind: v.literal("pair"), inputs: v.tuple([v.number(), v.number()]), table: TableSchema }),
  v.object({ kind: v.literal("path"), inputs: v.tuple([v.number()]), shift: v.pipe(v.number(), v.finite()) }),
]);

const NodeIndexes = v.array(v.pipe(v.number(), v.integer(), v.minValue(-1)));
/** A forest tree's nodes as parallel arrays (model/forest.ts): each split's children lie past it, so every path ends at a leaf. */
const ForestTreeSchema = v.pipe(
  v.object({
    input: NodeIndexes,
    at: NodeIndexes,
    blankLeft: v.array(v.picklist([0, 1])),
    left: NodeIndexes,
    right: NodeIndexes,
    value: TableSchema,
  }),
  v.check(
    (t) =>
      t.input.length > 0 && [t.at, t.blankLeft, t.left, t.right, t.value].every((a) => a.length === t.input.length),
    "a forest tree's node arrays must be of one length",
  ),
  v.check(
    (t) =>
      t.input.every(
        (f, n) =>
          f < 0 || (t.left[n]! > n && t.right[n]! > n && t.left[n]! < t.input.length && t.right[n]! < t.input.length),
      ),
    "a forest split's children must come after it",
  ),
);
const ForestSchema = v.object({
  orders: v.record(v.pipe(v.string(), v.regex(/^\d+$/)), v.array(v.pipe(v.number(), v.integer(), v.minValue(0)))),
  trees: v.array(ForestTreeSchema),
});

export const COLUMN_ROLES = [
  "label",
  "identifier",
  "free_text",
  "constant",
  "leakage_suspect",
  "date",
  "categorical",
  "numeric",
  "boolean",
] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** A `term-tables/1` card (docs/MODEL-FORMAT.md): the model itself is in `intercept`, `inputs` and `terms`. */
const TermTablesCardSchema = v.pipe(
  v.object({
    ...CommonCardEntries,
    format: v.literal("term-tables/1"),
    intercept: v.number(),
    inputs: v.array(TermInputSchema),
    derived: v.optional(v.array(DerivedInputSchema)),
    forest: v.optional(ForestSchema),
    terms: v.array(TermSchema),
    /** Every column of the training file, with the role the trainer gave it and why. */
    columns: v.array(v.object({ name: v.string(), role: v.picklist(COLUMN_ROLES), reason: v.string() })),
  }),
  v.check(
    (card) => (card.derived ?? []).every((d) => d.sumOf.every((i) => card.inputs[i]?.role === "numeric")),
    "derived inputs must add up numeric inputs of the card",
  ),
  v.check(
    (card) =>
      card.terms.every((term) =>
        term.inputs.every((i) => Number.isInteger(i) && i >= 0 && i < termInputs(card).length),
      ),
    "terms must name inputs of the card",
  ),
  v.check(
    // A term naming a missing input is reported by the check above; this one then looks past it.
    (card) =>
      card.terms.every(
        (term) =>
          term.kind === "path" ||
          term.inputs.some((i) => termInputs(card)[i] === undefined) ||
          term.table.length === term.inputs.reduce((n, i) => n * binCount(termInputs(card)[i]!), 1),
      ),
    "every term table must have one entry per bin (per bin pair for pair terms)",
  ),
  v.check(
    (card) => card.terms.every((term) => term.kind !== "path" || card.forest !== undefined),
    "path terms need the card's forest",
  ),
  v.check(
    (card) =>
      !card.forest ||
      (card.forest.trees.every((t) => t.input.every((f) => f < card.inputs.length)) &&
        Object.entries(card.forest.orders).every(
          ([f, order]) => card.inputs[Number(f)] !== undefined && order.length === binCount(card.inputs[Number(f)]!),
        )),
    "the forest must split inputs of the card, and order every bin of the levels it orders",
  ),
  v.check(
    (card) => card.inputs.every((input) => !input.binShares || input.binShares.length === binCount(input)),
    "binShares must have one share per bin of its input",
  ),
);
export type TermTablesCard = v.InferOutput<typeof TermTablesCardSchema>;

export const ModelCardSchema = v.union([TermTablesCardSchema, ColumnsCardSchema]);
export type ModelCard = v.InferOutput<typeof ModelCardSchema>;

export function isTermTablesCard(card: ModelCard | undefined): card is TermTablesCard {
  return card !== undefined && "format" in card && card.format === "term-tables/1";
}

export function riskThresholds(card: ModelCard | undefined): RiskThresholds {
  return card?.thresholds ?? DEFAULT_RISK_THRESHOLDS;
}

/** `models/churn-v1.onnx` -> `models/churn-v1.card.json` */
export function cardPathFor(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, "") + ".card.json";
}

/**
 * Reads and validates the card at `path` (the one card reader: scoring, training and start-up use
 * it). A card that does not match the schema is an input error; a missing file is one too, unless
 * `required: false` (a model may come without a card), then `undefined`.
 *
 * @example
 *   const card = await readModelCard(cardPathFor("models/churn-v1.onnx"));
 */
export function readModelCard(path: string, options?: { required?: true }): Promise<ModelCard>;
export function readModelCard(path: string, options: { required: boolean }): Promise<ModelCard | undefined>;
export async function readModelCard(
  path: string,
  { required = true }: { required?: boolean } = {},
): Promise<ModelCard | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    if (required)
      throw new RetainwiseError("model_card.not_found", `The model card ${path} could not be read.`, { cause });
    return undefined;
  }
  const parsed = v.safeParse(ModelCardSchema, parseJson(text));
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new RetainwiseError(
      "model.invalid_card",
      `The model card ${path} is not valid (${v.getDotPath(issue) ?? "card"}: ${issue.message}). Retrain the model or fix the card.`,
    );
  }
  return parsed.output;
}

/** Not JSON at all fails the schema like a wrong card does. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
