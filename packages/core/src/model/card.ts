import * as v from "valibot";

/**
 * The model card: a JSON file beside the model (`churn-v1.onnx` -> `churn-v1.card.json`).
 * The trainer writes it; the scoring core reads the risk thresholds and the human-readable
 * factor labels from it. A model without a card still scores (bring-your-own models), with the
 * default thresholds and raw column names.
 *
 * Contract with the ONNX file (see docs/MODEL.md):
 * - one input per raw column, named as `inputs[i].name`, shape [N,1], string or float32;
 * - an output with the positive-class probability ([N,2] -> column 1, or [N,1]/[N]);
 * - optionally an output named `contributions` [N,F], one log-odds contribution per input in the
 *   session's input order, relative to the training mean.
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
    v.object({ binStart: v.number(), binEnd: v.number(), count: v.number(), meanPredicted: v.number(), observedRate: v.number() }),
  ),
});

export const ModelCardSchema = v.object({
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
  inputs: v.array(CardInputSchema),
  thresholds: RiskThresholdsSchema,
  metrics: v.optional(v.object({ heldOut: MetricsSchema, training: v.optional(MetricsSchema) })),
  hyperparameters: v.optional(v.record(v.string(), v.unknown())),
});
export type ModelCard = v.InferOutput<typeof ModelCardSchema>;

export function riskThresholds(card: ModelCard | undefined): RiskThresholds {
  return card?.thresholds ?? DEFAULT_RISK_THRESHOLDS;
}

/** `models/churn-v1.onnx` -> `models/churn-v1.card.json` */
export function cardPathFor(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, "") + ".card.json";
}
