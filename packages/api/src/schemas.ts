import * as v from "valibot";
import { ERROR_KINDS } from "@retainwise/core/errors";
import { BUILTIN_MODEL_ID, MODEL_STATUSES, modelLabel, type Model } from "@retainwise/core/models";
import { PREDICTION_STATUSES, type Prediction } from "@retainwise/core/predictions";
import { isTermTablesCard } from "@retainwise/core/model/card";
import { TREND_BUCKETS } from "@retainwise/core/outcomes";
import { ROW_ERRORS_KEPT } from "@retainwise/core/scoring/results";
import { UUID_PATTERN } from "@retainwise/core/uuid";

/** HTTP shapes, validated on the way in and documented from the same schemas (openapi.ts). */
export const IdParamSchema = v.object({
  id: v.pipe(v.string(), v.regex(UUID_PATTERN, "must be a prediction id (a UUID)")),
});

export const ListQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.description("Items on a page"),
      v.transform(Number),
      v.integer("must be an integer"),
      v.minValue(1, "must be at least 1"),
      v.maxValue(100, "must be at most 100"),
    ),
    "20",
  ),
  cursor: v.optional(v.pipe(v.string(), v.description("`nextCursor` of the previous page"), v.maxLength(200))),
});

export const DownloadQuerySchema = v.object({
  redirect: v.fallback(
    v.optional(v.pipe(v.picklist(["1"]), v.description("1: answer 302 to the URL instead of JSON"))),
    undefined,
  ),
});

export const ErrorReportQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.description(
        `Answer the header and the first \`limit\` rows as CSV (kept with the prediction, at most ${ROW_ERRORS_KEPT}) instead of a URL for the whole report`,
      ),
      v.transform(Number),
      v.integer("must be an integer"),
      v.minValue(1, "must be at least 1"),
      v.maxValue(ROW_ERRORS_KEPT, `must be at most ${ROW_ERRORS_KEPT}`),
    ),
  ),
});

/** `?name=choice` of a picture or an answer's form: an unknown value means the default, as it always has. */
const choiceOf = <const T extends readonly [string, ...string[]]>(choices: T, description: string) =>
  v.optional(v.fallback(v.pipe(v.picklist(choices), v.description(description)), choices[0]), choices[0]);

/** `?redirect=1` on a download: 302 to the URL instead of JSON. */
export const PredictionChartQuerySchema = v.object({
  chart: choiceOf(["histogram", "risk"], "histogram of probabilities (default) or High/Medium/Low counts"),
});
export const ModelChartQuerySchema = v.object({
  chart: choiceOf(
    ["calibration", "importance"],
    "held-out calibration (default) or term importance, what drives churn",
  ),
});

/** Every error answer; `kind` decides the status (docs/ERRORS.md lists every code with its kind). */
export const ErrorSchema = v.object({
  error: v.object({
    code: v.string(),
    kind: v.picklist(ERROR_KINDS),
    message: v.string(),
    /** Facts a program acts on, per code (csv.missing_columns on an upload: missingColumns, matchingModels). */
    details: v.optional(v.record(v.string(), v.unknown())),
    requestId: v.optional(v.string()),
  }),
});

export const PredictionSchema = v.object({
  id: v.string(),
  status: v.picklist(PREDICTION_STATUSES),
  inputFilename: v.string(),
  inputBytes: v.number(),
  createdAt: v.string(),
  startedAt: v.nullable(v.string()),
  completedAt: v.nullable(v.string()),
  modelVersion: v.nullable(v.string()),
  /** The model it is scored with (the built-in model's id for predictions made before models existed). */
  modelId: v.string(),
  /** A second model scoring every row beside the first (`challenger_probability` in the result); null: none. */
  challengerModelId: v.nullable(v.string()),
  /** The column customer_id is taken from (`?idColumn=`); null: the model card's identifier column, else customerID or an alias, else the row number. */
  idColumn: v.nullable(v.string()),
  attempts: v.number(),
  progress: v.object({
    rowsProcessed: v.number(),
    rowsFailed: v.number(),
    rowsTotal: v.nullable(v.number()),
    percent: v.number(),
  }),
  metrics: v.nullable(v.record(v.string(), v.unknown())),
  error: v.nullable(v.object({ code: v.string(), message: v.string() })),
  /** Input columns whose drift from the model's training data is flagged (PSI > 0.2); null until measured. Details: `links.drift`. */
  driftFlagged: v.nullable(v.array(v.string())),
  links: v.object({ self: v.string(), download: v.nullable(v.string()), drift: v.string(), performance: v.string() }),
});
export type PredictionJson = v.InferOutput<typeof PredictionSchema>;

export const PredictionListSchema = v.object({ items: v.array(PredictionSchema), nextCursor: v.nullable(v.string()) });
export const DownloadSchema = v.object({ url: v.string(), expiresAt: v.string(), filename: v.string() });
/** `maxUploadBytes`: files to score and outcome files; `maxTrainingBytes`: training files (POST /v1/models); `maxColumns`: both. */
export const LimitsSchema = v.object({
  maxUploadBytes: v.number(),
  maxTrainingBytes: v.number(),
  maxColumns: v.number(),
  acceptedTypes: v.array(v.string()),
  acceptedExtensions: v.array(v.string()),
});

export function toPredictionJson(p: Prediction): PredictionJson {
  const self = `/v1/predictions/${p.id}`;
  return {
    id: p.id,
    // SHARDED is the worker's own state of a RUNNING prediction (predictions/shards.ts).
    status: p.status === "SHARDED" ? "RUNNING" : p.status,
    inputFilename: p.inputFilename,
    inputBytes: p.inputBytes,
    createdAt: p.createdAt.toISOString(),
    startedAt: p.startedAt?.toISOString() ?? null,
    completedAt: p.completedAt?.toISOString() ?? null,
    modelVersion: p.modelVersion,
    modelId: p.modelId ?? BUILTIN_MODEL_ID,
    challengerModelId: p.challengerModelId,
    idColumn: p.idColumn ?? null,
    attempts: p.attempts,
    progress: { rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, rowsTotal: p.rowsTotal, percent: percent(p) },
    metrics: p.metrics as Record<string, unknown> | null,
    error: p.errorCode ? { code: p.errorCode, message: p.errorMessage ?? "" } : null,
    driftFlagged: p.drift ? p.drift.columns.filter((c) => c.flagged).map((c) => c.name) : null,
    links: {
      self,
      download: p.status === "COMPLETED" ? `${self}/download` : null,
      drift: `${self}/drift`,
      performance: `${self}/performance`,
    },
  };
}

/** Bytes read of the input while running (the row total is unknown until the end). */
function percent(p: Prediction): number {
  if (p.status === "COMPLETED") return 100;
  if ((p.status !== "RUNNING" && p.status !== "SHARDED") || p.inputBytes <= 0) return 0;
  return Math.min(99, Math.floor((p.bytesRead / p.inputBytes) * 100));
}

/** The file name a scored result downloads as: `customers.csv` -> `customers-scored.csv`. */
export function resultFilename(inputFilename: string): string {
  return `${baseName(inputFilename)}-scored.csv`;
}

/** `customers.csv` -> `customers-errors.csv` */
export function errorReportFilename(inputFilename: string): string {
  return `${baseName(inputFilename)}-errors.csv`;
}

function baseName(inputFilename: string): string {
  return inputFilename.replace(/\.(csv|txt)$/i, "");
}

/** `POST /v1/models` parameters, from the query string or the multipart fields before the file. */
export const TrainQuerySchema = v.object({
  label: v.pipe(
    v.string("is required: name the column that says whether each customer churned"),
    v.description("The column saying whether each customer churned"),
    v.trim(),
    v.minLength(1, "must not be empty"),
    v.maxLength(200, "must be at most 200 characters"),
  ),
  name: v.pipe(
    v.string("is required: name the model, e.g. name=bank"),
    v.description("The model's name (letters, digits, . _ -); each name is versioned per account: v1, v2…"),
    v.trim(),
    v.regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
      "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
    ),
  ),
  positive: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "The label value meaning churn (default: of two values, the one that reads as churned — Yes, 1, true, Churned, Attrited Customer, Cancelled, Exited… — or the other of one that reads as retained — No, 0, Existing Customer, Active…; when unsure, training fails listing both)",
      ),
      v.trim(),
      v.minLength(1, "must not be empty"),
      v.maxLength(200),
    ),
  ),
});

/** Training on a prediction's outcomes: only the name (the label is `churned`). */
export const TrainFromPredictionQuerySchema = v.pick(TrainQuerySchema, ["name"]);

const modelIdParam = (description: string) =>
  v.optional(v.pipe(v.string(), v.description(description), v.regex(UUID_PATTERN, "must be a model id (a UUID)")));
export const ScoreQuerySchema = v.object({
  model: modelIdParam("The model to score with (default: the account's default model; for a retry, the first run's)"),
  challenger: modelIdParam(
    "A second READY model (another than the champion; 404/409 as for model) that scores every row too: the result gains challenger_probability, the champion still decides risk level and reasons; /performance compares the two once outcomes arrive",
  ),
  /** The column to take customer_id from, as `score --id-column`; matched like every header when the file is scored. */
  idColumn: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "The column to take customer_id from, matched ignoring case, spaces and punctuation (default: the model's identifier column when the file has it, else customerID or an alias, else the row number). A file without it is refused with csv.missing_columns",
      ),
      v.trim(),
      v.minLength(1, "must not be empty: name a column of the file"),
      v.maxLength(200, "must be at most 200 characters"),
    ),
  ),
});

/** `POST /v1/predictions`: the scoring choices, and the name of a raw upload (multipart keeps the file's own). */
export const UploadQuerySchema = v.object({
  ...ScoreQuerySchema.entries,
  filename: v.optional(
    v.pipe(
      v.string(),
      v.description("The name of a raw text/csv upload (default upload.csv); multipart keeps the file's own"),
    ),
  ),
});

/** A settings body: every field optional only once there are more; today `actionable`, card input names. */
export const ModelSettingsSchema = v.object({
  actionable: v.pipe(
    v.array(
      v.pipe(
        v.string("must be a list of column names"),
        v.trim(),
        v.minLength(1, "must not hold an empty name"),
        v.maxLength(200),
      ),
      "must be a list of column names",
    ),
    v.description("Card input names the account can change (matched ignoring case); [] clears it"),
    v.maxLength(100, "must list at most 100 columns"),
  ),
});

export const DefaultModelSchema = v.object({
  modelId: v.pipe(v.string("is required"), v.regex(UUID_PATTERN, "must be a model id (a UUID)")),
});

export const ModelSchema = v.object({
  id: v.string(),
  /** `bank-v2`: what predictions and scored files call the model. */
  label: v.string(),
  name: v.string(),
  version: v.string(),
  status: v.picklist(MODEL_STATUSES),
  builtIn: v.boolean(),
  isDefault: v.boolean(),
  labelColumn: v.string(),
  positiveValue: v.nullable(v.string()),
  inputFilename: v.string(),
  inputBytes: v.number(),
  rows: v.nullable(v.number()),
  progress: v.object({ phase: v.nullable(v.string()), percent: v.number() }),
  metrics: v.nullable(v.record(v.string(), v.unknown())),
  /** The card's risk thresholds: a scored row is High from `high`, Medium from `medium`, else Low; null until READY. */
  thresholds: v.nullable(v.object({ high: v.number(), medium: v.number() })),
  /** The model's inputs, as the card describes them. */
  inputs: v.array(v.object({ name: v.string(), label: v.string(), role: v.string() })),
  /** Columns of the training file the model does not use, and why. */
  excludedColumns: v.array(v.object({ name: v.string(), role: v.string(), reason: v.string() })),
  error: v.nullable(v.object({ code: v.string(), message: v.string() })),
  attempts: v.number(),
  createdAt: v.string(),
  startedAt: v.nullable(v.string()),
  completedAt: v.nullable(v.string()),
  links: v.object({ self: v.string(), card: v.nullable(v.string()), download: v.nullable(v.string()) }),
});
export type ModelJson = v.InferOutput<typeof ModelSchema>;
export const ModelListSchema = v.object({ items: v.array(ModelSchema), nextCursor: v.nullable(v.string()) });

const USED_ROLES = new Set(["numeric", "categorical", "boolean"]);

export function toModelJson(m: Model, defaultModelId: string): ModelJson {
  const self = `/v1/models/${m.id}`;
  const ready = m.status === "READY";
  const card = m.card ?? undefined;
  return {
    id: m.id,
    label: modelLabel(m),
    name: m.name,
    version: `v${m.version}`,
    status: m.status,
    builtIn: m.accountId === null,
    isDefault: m.id === defaultModelId,
    labelColumn: m.labelColumn,
    positiveValue: m.positiveValue,
    inputFilename: m.inputFilename,
    inputBytes: m.inputBytes,
    rows: m.rowsTotal,
    progress: { phase: m.progressPhase, percent: ready ? 100 : m.progressPercent },
    metrics: m.metrics as Record<string, unknown> | null,
    thresholds: card ? { high: card.thresholds.high, medium: card.thresholds.medium } : null,
    inputs: (card?.inputs ?? []).map((input) => ({
      name: input.name,
      label: input.label ?? input.name,
      role: "role" in input ? input.role : input.type === "float" ? "numeric" : "categorical",
    })),
    excludedColumns: isTermTablesCard(card) ? card.columns.filter((c) => !USED_ROLES.has(c.role)) : [],
    error: m.errorCode ? { code: m.errorCode, message: m.errorMessage ?? "" } : null,
    attempts: m.attempts,
    createdAt: m.createdAt.toISOString(),
    startedAt: m.startedAt?.toISOString() ?? null,
    completedAt: m.completedAt?.toISOString() ?? null,
    links: { self, card: card ? `${self}/card` : null, download: ready && m.onnxKey ? `${self}/download` : null },
  };
}

const DateParam = (description: string) =>
  v.pipe(
    v.string(),
    v.description(description),
    v.check((s) => !Number.isNaN(Date.parse(s)), "must be a date (2026-11-01 or an ISO 8601 time)"),
    v.transform((s) => new Date(s)),
  );
/** `GET /v1/insights/trends`: the range and its buckets. */
export const TrendsQuerySchema = v.object({
  from: v.optional(DateParam("A date or ISO 8601 time (default: 30 days before `to`)")),
  to: v.optional(DateParam("A date or ISO 8601 time (default: now); at most 366 days after `from`")),
  bucket: v.optional(
    v.pipe(v.picklist(TREND_BUCKETS, "must be day or week"), v.description("day (default up to 62 days) or week")),
  ),
});
