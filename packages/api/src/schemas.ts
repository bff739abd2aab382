import * as v from "valibot";
import { ERROR_KINDS } from "@retainwise/core/errors";
import { BUILTIN_MODEL_ID, MODEL_STATUSES, modelLabel, PREDICTION_STATUSES, type Model, type Prediction } from "@retainwise/core/jobs";
import { isTermTablesCard } from "@retainwise/core/model/card";
import { UUID_PATTERN } from "@retainwise/core/uuid";

/** HTTP shapes, validated on the way in and documented from the same schemas (openapi.ts). */
export const IdParamSchema = v.object({ id: v.pipe(v.string(), v.regex(UUID_PATTERN, "must be a prediction id (a UUID)")) });

export const ListQuerySchema = v.object({
  limit: v.optional(v.pipe(v.string(), v.transform(Number), v.integer("must be an integer"), v.minValue(1, "must be at least 1"), v.maxValue(100, "must be at most 100")), "20"),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

export const ErrorReportQuerySchema = v.object({
  limit: v.optional(v.pipe(v.string(), v.transform(Number), v.integer("must be an integer"), v.minValue(1, "must be at least 1"), v.maxValue(1000, "must be at most 1000"))),
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
  progress: v.object({ rowsProcessed: v.number(), rowsFailed: v.number(), rowsTotal: v.nullable(v.number()), percent: v.number() }),
  metrics: v.nullable(v.record(v.string(), v.unknown())),
  error: v.nullable(v.object({ code: v.string(), message: v.string() })),
  /** Input columns whose drift from the model's training data is flagged (PSI > 0.2); null until measured. Details: `links.drift`. */
  driftFlagged: v.nullable(v.array(v.string())),
  links: v.object({ self: v.string(), download: v.nullable(v.string()), drift: v.string(), performance: v.string() }),
});
export type PredictionJson = v.InferOutput<typeof PredictionSchema>;

export const PredictionListSchema = v.object({ items: v.array(PredictionSchema), nextCursor: v.nullable(v.string()) });
export const DownloadSchema = v.object({ url: v.string(), expiresAt: v.string(), filename: v.string() });
/** `maxUploadBytes`: files to score and outcome files; `maxTrainingBytes`: training files (POST /v1/models). */
export const LimitsSchema = v.object({ maxUploadBytes: v.number(), maxTrainingBytes: v.number(), acceptedTypes: v.array(v.string()), acceptedExtensions: v.array(v.string()) });

export function toPredictionJson(p: Prediction): PredictionJson {
  const self = `/v1/predictions/${p.id}`;
  return {
    id: p.id,
    // SHARDED is the worker's own state of a RUNNING prediction (jobs/shards.ts).
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
    links: { self, download: p.status === "COMPLETED" ? `${self}/download` : null, drift: `${self}/drift`, performance: `${self}/performance` },
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
  label: v.pipe(v.string("is required: name the column that says whether each customer churned"), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(200, "must be at most 200 characters")),
  name: v.pipe(
    v.string("is required: name the model, e.g. name=bank"),
    v.trim(),
    v.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"),
  ),
  positive: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(200))),
});

const ModelIdParam = v.optional(v.pipe(v.string(), v.regex(UUID_PATTERN, "must be a model id (a UUID)")));
export const ScoreQuerySchema = v.object({
  model: ModelIdParam,
  challenger: ModelIdParam,
  /** The column to take customer_id from, as `score --id-column`; matched like every header when the file is scored. */
  idColumn: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty: name a column of the file"), v.maxLength(200, "must be at most 200 characters"))),
});

export const DefaultModelSchema = v.object({ modelId: v.pipe(v.string("is required"), v.regex(UUID_PATTERN, "must be a model id (a UUID)")) });

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
