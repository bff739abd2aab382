import * as v from "valibot";
import type { RouteDoc } from "../openapi/route-docs.ts";
import {
  DefaultModelSchema,
  DownloadQuerySchema,
  DownloadSchema,
  ListQuerySchema,
  ModelChartQuerySchema,
  ModelListSchema,
  ModelSchema,
  ModelSettingsSchema,
  TrainQuerySchema,
} from "../schemas.ts";
import { created, CSV_HEADER_ERRORS, csvUpload, json, REDIRECT, svg, UPLOAD_ERRORS } from "./common-docs.ts";

const ModelSettingsJson = v.object({ modelId: v.string(), actionable: v.array(v.string()) });
const Report = v.record(v.string(), v.unknown());

/** `POST /v1/models`: the label and name as query parameters, or the older form of training from a prediction. */
const TrainUploadQuerySchema = v.object({
  ...TrainQuerySchema.entries,
  fromPrediction: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "Deprecated: the older form of POST /v1/predictions/{id}/train (with `name`, no body); a malformed id is request.bad_id",
      ),
    ),
  ),
});

export const TRAIN_MODEL: RouteDoc = {
  summary: "Train a churn model on a labeled CSV",
  description:
    "Raw `text/csv` body with `?label=COLUMN&name=NAME[&positive=VALUE]`, or multipart/form-data with the fields `label`, `name`, `positive` before the `file` field. The label column is checked against the header before the upload is accepted (400 naming the closest columns). " +
    "Streamed to storage; the worker trains it (status QUEUED, TRAINING, READY or FAILED with the trainer's message). Each name is versioned per account: v1, v2…",
  query: TrainUploadQuerySchema,
  body: csvUpload("The labeled history: one row per customer, with the label column", ["label", "name", "positive"]),
  responses: { 202: created("Accepted and queued for training", ModelSchema, "/v1/models/{id}") },
  errors: [
    ...UPLOAD_ERRORS,
    ...CSV_HEADER_ERRORS,
    "train.missing_label",
    "train.unknown_column",
    "model.too_many_trainings",
    "request.bad_id",
    "prediction.not_found",
    "prediction.not_ready",
    "model.not_enough_outcomes",
  ],
};

export const LIST_MODELS: RouteDoc = {
  summary: "List the account's models, newest first, the built-in model last",
  query: ListQuerySchema,
  responses: { 200: json("A page of models", ModelListSchema) },
  errors: ["request.invalid_cursor"],
};

const MODEL_ID_ERRORS = ["request.bad_id", "model.not_found"] as const;

export const GET_MODEL: RouteDoc = {
  summary: "Status, training progress, held-out metrics, inputs and excluded columns of a model",
  responses: { 200: json("The model", ModelSchema) },
  errors: MODEL_ID_ERRORS,
};

export const MODEL_CARD: RouteDoc = {
  summary: "The model card (JSON): inputs, thresholds, metrics, training data",
  responses: { 200: json("The card", Report) },
  errors: [...MODEL_ID_ERRORS, "model.not_ready"],
};

export const DOWNLOAD_MODEL: RouteDoc = {
  summary: "A presigned URL for the model's ONNX file, to run it elsewhere",
  query: DownloadQuerySchema,
  responses: { 200: json("Where to download", DownloadSchema), 302: REDIRECT },
  errors: [...MODEL_ID_ERRORS, "model.not_ready", "store.unavailable"],
};

export const MODEL_SETTINGS: RouteDoc = {
  summary: "The account's settings of a model (its own or the built-in one): the columns it can act on",
  responses: { 200: json("The settings", ModelSettingsJson) },
  errors: MODEL_ID_ERRORS,
};

export const SAVE_MODEL_SETTINGS: RouteDoc = {
  summary: "Set the columns the account can act on (`actionable`, the model's input names)",
  description:
    "Each scored row's `retention_action` then names the one change to one of these columns that lowers its churn probability most, with the probability before and after (`Contract One year instead of Month-to-month: 0.74 -> 0.41`), computed exactly from the model's terms; blank when no change lowers it. " +
    "Names are matched as the card writes its inputs (exactly, else ignoring case); an unknown one answers 400 `request.invalid_actionable` naming the model's inputs. Applies to files scored from then on; `[]` clears it.",
  body: { json: ModelSettingsSchema },
  responses: { 200: json("The settings as saved", ModelSettingsJson) },
  errors: [...MODEL_ID_ERRORS, "model.not_ready"],
};

export const DELETE_MODEL: RouteDoc = {
  summary: "Delete a model (cancels its training); it scores nothing new, predictions already made keep their results",
  responses: { 200: json("The model as deleted (CANCELED if it was still training), with deleted: true", ModelSchema) },
  errors: [...MODEL_ID_ERRORS, "model.builtin", "store.unavailable"],
};

export const MODEL_CHART: RouteDoc = {
  summary:
    "A READY model's picture as SVG: held-out calibration (default) or what drives churn, term importance (?chart=importance)",
  query: ModelChartQuerySchema,
  responses: { 200: svg("The chart") },
  errors: [...MODEL_ID_ERRORS, "model.not_ready"],
};

export const MODEL_PERFORMANCE: RouteDoc = {
  summary:
    "Realized performance of a model, pooled over the labeled customers of every prediction it scored (same shape as a prediction's, plus predictions), and drift of its latest files",
  description:
    "drift: up to 10 of its latest predictions with drift measured, newest first: {predictionId, inputFilename, predictedAt, rows, maxPsi, flaggedColumns}. /v1/models/{id}/performance.svg draws calibration and lift.",
  responses: { 200: json("The performance", Report) },
  errors: MODEL_ID_ERRORS,
};

export const MODEL_PERFORMANCE_CHART: RouteDoc = {
  summary: "The model's realized calibration and lift as SVG, over every prediction it scored",
  responses: { 200: svg("The chart") },
  errors: [...MODEL_ID_ERRORS, "performance.not_enough_outcomes"],
};

export const SET_DEFAULT_MODEL: RouteDoc = {
  summary: "Choose the model uploads score with when they name none",
  body: { json: DefaultModelSchema },
  responses: { 200: json("The new default model", ModelSchema) },
  errors: ["model.not_found", "model.not_ready"],
};
