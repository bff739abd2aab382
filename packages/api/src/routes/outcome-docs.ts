import * as v from "valibot";
import type { RouteDoc } from "../openapi/route-docs.ts";
import { TrendsQuerySchema } from "../schemas.ts";
import { CSV_HEADER_ERRORS, csvUpload, json, svg, UPLOAD_ERRORS } from "./common-docs.ts";

const Report = v.record(v.string(), v.unknown());

export const UPLOAD_OUTCOMES: RouteDoc = {
  summary: "Upload what happened to customers: a CSV customer_id,churned[,observed_at]",
  description:
    "churned is yes/no/1/0/true/false; observed_at (ISO 8601) defaults to now and must not be in the future. Headers are matched like every upload (customerID, customer_id, Churn…), " +
    "or in the words of the account's READY models: a model's label column with its churned value (Exited, 1 = churned) and its identifier column (CLIENTNUM); GET /v1/outcomes lists every accepted name. " +
    "A label in words of its own (Attrited Customer) takes the file's one other value as stayed. `matched` says which columns were read and in whose words: {customerId, churned, observedAt, model, churnedValue, stayedValue}. " +
    "Streamed and validated row by row: bad rows are counted and listed, not fatal, but a file with no row accepted is 400 outcomes.none_accepted (details: rowErrors). Per customer the latest observation wins. Rows are saved in batches as they are read, " +
    "so a file refused halfway (e.g. an unclosed quote) keeps the batches before it; uploading the fixed file again is safe.",
  body: csvUpload("customer_id,churned[,observed_at], or the account's models' own column names"),
  responses: {
    200: json(
      "{uploadId, rowsRead, rowsAccepted, rowsRejected, rowsMatched, rowErrors[{row, reason}], matched}",
      Report,
    ),
  },
  errors: [...UPLOAD_ERRORS, ...CSV_HEADER_ERRORS, "csv.missing_columns", "csv.no_rows", "outcomes.none_accepted"],
};

export const OUTCOME_COUNTS: RouteDoc = {
  summary:
    "How many customers have an outcome, how many churned, the latest observation, and the column names an upload may use",
  responses: {
    200: json(
      "{customers, churned, lastObservedAt, accepts: {customerId[], churned[], observedAt[], labels[{column, churnedValue, model}]}}",
      Report,
    ),
  },
};

export const TRENDS: RouteDoc = {
  summary:
    "The account over time: uploads, mean churn probability, share High risk and realized AUC (where both classes have 30 labeled customers) per day or week",
  description:
    "from/to: dates or ISO 8601 times (default: the last 30 days; at most 366 days). bucket: day (default up to 62 days) or week. /v1/insights/trends.svg draws the same as a chart.",
  query: TrendsQuerySchema,
  responses: {
    200: json(
      "{from, to, bucket, points[{start, end, uploads, rowsScored, meanProbability, highShare, realizedAuc, labeledRows}]}",
      Report,
    ),
  },
  errors: ["request.invalid_range"],
};

export const TRENDS_CHART: RouteDoc = {
  summary: "The trends as an SVG chart (the predictions page's)",
  query: TrendsQuerySchema,
  responses: { 200: svg("The chart") },
  errors: ["request.invalid_range"],
};
