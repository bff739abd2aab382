import * as v from "valibot";
import type { RouteDoc } from "../openapi/route-docs.ts";
import {
  DownloadQuerySchema,
  DownloadSchema,
  ErrorReportQuerySchema,
  ListQuerySchema,
  ModelSchema,
  PredictionChartQuerySchema,
  PredictionListSchema,
  PredictionSchema,
  ScoreQuerySchema,
  TrainFromPredictionQuerySchema,
  UploadQuerySchema,
} from "../schemas.ts";
import { created, CSV_HEADER_ERRORS, csvUpload, json, REDIRECT, svg, UPLOAD_ERRORS } from "./common-docs.ts";

/** Bodies whose shape the description gives (computed reports with many optional parts). */
const Report = v.record(v.string(), v.unknown());
const SCORING_CHOICE_ERRORS = [
  "model.not_found",
  "model.not_ready",
  "request.same_model",
  "csv.missing_columns",
] as const;

export const SUBMIT_PREDICTION: RouteDoc = {
  summary: "Upload a CSV to score",
  description:
    "Raw `text/csv` body (name it with `?filename=`) or the `file` field of multipart/form-data. Streamed to storage; answered before scoring starts. `?model=ID` scores with that READY model (yours or the built-in one; 404 otherwise, 409 `model.not_ready` unless READY); without it, the account's default model. " +
    "The header row is read first: a file missing columns the model (or the challenger) reads is refused with 400 `csv.missing_columns` before anything is stored, naming the columns, with `error.details.matchingModels`: the account's READY models that read every column the file needs.",
  query: UploadQuerySchema,
  body: csvUpload("The customers to score, one row each, with a header row"),
  responses: { 202: created("Accepted and queued", PredictionSchema, "/v1/predictions/{id}") },
  errors: [...UPLOAD_ERRORS, ...CSV_HEADER_ERRORS, ...SCORING_CHOICE_ERRORS, "upload.aborted"],
};

export const RETRY_PREDICTION: RouteDoc = {
  summary: "Score a finished prediction's stored file again",
  description:
    "For a FAILED (or COMPLETED) prediction whose file is still stored: a new prediction of the same file, checked and queued as an upload. `model`, `challenger` and `idColumn` default to the first run's; name another `?model=` (e.g. one of the `matchingModels` a refusal listed). 409 `prediction.not_ready` while it runs, 409 `prediction.input_gone` once its file has expired.",
  query: ScoreQuerySchema,
  responses: { 202: created("The new prediction, queued", PredictionSchema, "/v1/predictions/{id}") },
  errors: [
    "request.bad_id",
    "prediction.not_found",
    "prediction.not_ready",
    "prediction.input_gone",
    ...CSV_HEADER_ERRORS,
    ...SCORING_CHOICE_ERRORS,
    "upload.empty",
    "store.unavailable",
  ],
};

export const LIST_PREDICTIONS: RouteDoc = {
  summary: "List predictions, newest first",
  query: ListQuerySchema,
  responses: { 200: json("A page of predictions", PredictionListSchema) },
  errors: ["request.invalid_cursor"],
};

export const GET_PREDICTION: RouteDoc = {
  summary: "Status, progress, metrics and error of a prediction",
  responses: { 200: json("The prediction", PredictionSchema) },
  errors: ["request.bad_id", "prediction.not_found"],
};

export const DOWNLOAD_PREDICTION: RouteDoc = {
  summary: "A presigned URL for the scored CSV (valid 10 minutes)",
  description:
    "Columns `customer_id,churn_probability,risk_level,risk_factors,protective_factors,retention_action,model_version,error` (`retention_action`: blank unless the model's settings name actionable columns, PUT /v1/models/{id}/settings). " +
    "Every text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so spreadsheets do not run it as a formula (OWASP CSV injection); probabilities stay numbers.",
  query: DownloadQuerySchema,
  responses: { 200: json("Where to download", DownloadSchema), 302: REDIRECT },
  errors: ["request.bad_id", "prediction.not_found", "prediction.not_ready", "store.unavailable"],
};

export const PREDICTION_ERRORS: RouteDoc = {
  summary:
    "The error report, `row,customer_id,error` for every row that could not be scored: a presigned URL (valid 10 minutes), or its first rows as CSV with ?limit",
  description:
    "There once the prediction is COMPLETED, or FAILED after reading its rows (too many bad rows): the way to find and fix them. Rows are 1-based data rows, header excluded. 404 `error_report.not_found` when the job failed before reading rows (its error says why).",
  query: v.object({ ...ErrorReportQuerySchema.entries, ...DownloadQuerySchema.entries }),
  responses: {
    200: json(
      "Where to download the whole report; with ?limit, its header and first rows as text/csv instead",
      DownloadSchema,
    ),
    302: REDIRECT,
  },
  errors: [
    "request.bad_id",
    "prediction.not_found",
    "prediction.not_ready",
    "error_report.not_found",
    "store.unavailable",
  ],
};

export const PREDICTION_CHART: RouteDoc = {
  summary: "The risk picture as SVG: histogram of probabilities (default) or High/Medium/Low counts (?chart=risk)",
  query: PredictionChartQuerySchema,
  responses: { 200: svg("The chart") },
  errors: ["request.bad_id", "prediction.not_found", "prediction.not_ready"],
};

export const DELETE_PREDICTION: RouteDoc = {
  summary: "Cancel (if queued or running) and delete a prediction and its files",
  responses: {
    200: json("The prediction as deleted (CANCELED if it had not finished), with deleted: true", PredictionSchema),
  },
  errors: ["request.bad_id", "prediction.not_found", "store.unavailable"],
};

export const PREDICTION_PERFORMANCE: RouteDoc = {
  summary: "Realized performance: how the prediction's probabilities matched outcomes observed after it was made",
  description:
    'status "ready": labeledRows, AUC with its DeLong 95% interval, Brier, calibration per decile, precision and lift in the top 10%/20%. ' +
    'status "not_enough_outcomes" until both classes have 30 labeled rows ("not enough outcomes yet (n of 30)"). ' +
    'challenger (null without ?challenger= at upload): {modelId, model, labeledRows, champion, challenger, aucDifference: {value, interval, method: "paired DeLong"}, better}, ' +
    "both models measured on the same labeled customers; better is challenger or champion when the 95% interval of the AUC difference excludes 0, else no_clear_difference.",
  responses: { 200: json("The performance", Report) },
  errors: ["request.bad_id", "prediction.not_found", "prediction.not_ready"],
};

export const PREDICTION_PERFORMANCE_CHART: RouteDoc = {
  summary: "The prediction's realized calibration and lift as SVG",
  responses: { 200: svg("The chart") },
  errors: ["request.bad_id", "prediction.not_found", "prediction.not_ready", "performance.not_enough_outcomes"],
};

export const PREDICTION_DRIFT: RouteDoc = {
  summary:
    "Drift of the scored file from the model's training data: population stability index per input column, share of unseen categories",
  description:
    "While scoring, each input column is counted into the model's training bins (the card's binShares). status \"measured\": rows, flagged (columns with PSI > threshold, 0.2), " +
    "columns[{name, label, psi, flagged, unseenShare (categorical columns: share of non-blank cells outside the model's categories; null for numbers), bins[{bin, expected, actual}]}]. " +
    'status "not_measured" with a message when the model\'s card has no training distribution (trained before drift was recorded; retrain it).',
  responses: { 200: json("The drift report", Report) },
  errors: ["request.bad_id", "prediction.not_found", "prediction.not_ready"],
};

export const PROMOTE_CHALLENGER: RouteDoc = {
  summary:
    "Promote the prediction's challenger: it becomes the account's default model (uploads without ?model= score with it)",
  responses: { 200: json("The challenger model, now the default", ModelSchema) },
  errors: ["request.bad_id", "prediction.not_found", "prediction.no_challenger", "model.not_found", "model.not_ready"],
};

export const TRAIN_FROM_PREDICTION: RouteDoc = {
  summary:
    "Train a model on what happened: the prediction's input rows joined with their outcomes (label churned), named by ?name=",
  description:
    "Only rows whose customer has an outcome observed after the prediction; 400 `model.not_enough_outcomes` below 30 churned or 30 stayed. Answers like POST /v1/models (202, the model, Location). " +
    "`POST /v1/models?fromPrediction={id}&name=NAME` is the same request in its older form.",
  query: TrainFromPredictionQuerySchema,
  responses: { 202: created("The model, QUEUED", ModelSchema, "/v1/models/{id}") },
  errors: [
    "request.bad_id",
    "prediction.not_found",
    "prediction.not_ready",
    "model.not_enough_outcomes",
    "model.too_many_trainings",
  ],
};
