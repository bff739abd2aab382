import { Hono } from "hono";
import { toJsonSchema } from "@valibot/to-json-schema";
import type { GenericSchema } from "valibot";
import type { ApiEnv } from "../env.ts";
import { outcomePaths } from "./outcomes-docs.ts";
import { DefaultModelSchema, DownloadSchema, ErrorSchema, LimitsSchema, ModelListSchema, ModelSchema, PredictionListSchema, PredictionSchema } from "../schemas.ts";

const json = (schema: GenericSchema) => toJsonSchema(schema, { errorMode: "ignore" });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, { description: STATUS_TEXT[code], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]));
const STATUS_TEXT: Record<number, string> = {
  400: "Bad request (invalid id or query, empty upload)",
  401: "Missing or invalid API key",
  404: "No such prediction or model in this account (or, for /errors, no report)",
  408: "The upload sent nothing for the idle timeout (30 s by default) and was stopped",
  409: "The prediction is not COMPLETED (or the model not READY) yet; or the `Idempotency-Key` is in use or was used for another request",
  413: "Upload larger than the limit",
  415: "Not CSV text, or an unsupported Content-Type",
  429: "Too many requests for this key, uploads or trainings at once in this account: retry after `Retry-After` seconds",
  503: "The database or store is unavailable; nothing was changed: retry after `Retry-After` seconds",
};
const MODEL_SETTINGS = { type: "object", properties: { modelId: { type: "string" }, actionable: { type: "array", items: { type: "string" } } } };
const ok = (description: string, ref: string) => ({ description, content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } } });
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }];

const MODEL_SCHEMAS = { Model: json(ModelSchema), ModelList: json(ModelListSchema), DefaultModel: json(DefaultModelSchema) };

/** The header every upload endpoint takes (middleware/idempotency.ts). */
export const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  in: "header",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
  description:
    "Retry safely: the same key from the same account within 24 h answers the original response (`Idempotent-Replayed: true`) instead of running again. 409 `idempotency.in_progress` while the first runs, 409 `idempotency.key_reused` for a different request (path, query, Content-Length).",
};

/** `/v1/models` and `/v1/account/default-model`: train, list, read, download, delete, choose the default. */
const MODEL_PATHS = {
  "/v1/models": {
    post: {
      summary: "Train a churn model on a labeled CSV",
      description:
        "Raw `text/csv` body with `?label=COLUMN&name=NAME[&positive=VALUE]`, or multipart/form-data with the fields `label`, `name`, `positive` before the `file` field. The label column is checked against the header before the upload is accepted (400 naming the closest columns). Streamed to storage; the worker trains it (status QUEUED, TRAINING, READY or FAILED with the trainer's message). Each name is versioned per account: v1, v2…",
      parameters: [
        { name: "label", in: "query", required: true, schema: { type: "string" }, description: "The column saying whether each customer churned" },
        { name: "name", in: "query", required: true, schema: { type: "string" }, description: "The model's name (letters, digits, . _ -)" },
        { name: "positive", in: "query", schema: { type: "string" }, description: "The label value meaning churn (default: of two values, the one that reads as churned — Yes, 1, true, Churned, Attrited Customer, Cancelled, Exited… — or the other of one that reads as retained — No, 0, Existing Customer, Active…; when unsure, training fails listing both)" },
        { name: "fromPrediction", in: "query", deprecated: true, schema: { type: "string", format: "uuid" }, description: "The older form of POST /v1/predictions/{id}/train (with `name`, no body)" },
        IDEMPOTENCY_KEY,
      ],
      requestBody: { content: { "text/csv": { schema: { type: "string" } }, "multipart/form-data": { schema: { type: "object", properties: { label: { type: "string" }, name: { type: "string" }, positive: { type: "string" }, file: { type: "string", format: "binary" } } } } } },
      responses: { 202: ok("Accepted and queued for training (Location: /v1/models/{id})", "Model"), ...errors(400, 401, 409, 413, 415, 429, 503) },
    },
    get: {
      summary: "List the account's models, newest first, the built-in model last",
      parameters: [
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
        { name: "cursor", in: "query", schema: { type: "string" }, description: "`nextCursor` of the previous page" },
      ],
      responses: { 200: ok("A page of models", "ModelList"), ...errors(400, 401) },
    },
  },
  "/v1/models/{id}": {
    get: { summary: "Status, training progress, held-out metrics, inputs and excluded columns of a model", parameters: idParam, responses: { 200: ok("The model", "Model"), ...errors(400, 401, 404) } },
    delete: {
      summary: "Delete a model (cancels its training); it scores nothing new, predictions already made keep their results",
      parameters: idParam,
      responses: { 200: ok("The model as deleted", "Model"), ...errors(400, 401, 404, 409) },
    },
  },
  "/v1/models/{id}/settings": {
    get: { summary: "The account's settings of a model (its own or the built-in one): the columns it can act on", parameters: idParam, responses: { 200: { description: "The settings", content: { "application/json": { schema: MODEL_SETTINGS } } }, ...errors(400, 401, 404) } },
    put: {
      summary: "Set the columns the account can act on (`actionable`, the model's input names)",
      description:
        "Each scored row's `retention_action` then names the one change to one of these columns that lowers its churn probability most, with the probability before and after (`Contract One year instead of Month-to-month: 0.74 -> 0.41`), computed exactly from the model's terms; blank when no change lowers it. Names are matched as the card writes its inputs (exactly, else ignoring case); an unknown one answers 400 `request.invalid_actionable` naming the model's inputs. Applies to files scored from then on; `[]` clears it.",
      parameters: idParam,
      requestBody: { content: { "application/json": { schema: { type: "object", required: ["actionable"], properties: { actionable: { type: "array", maxItems: 100, items: { type: "string", minLength: 1 } } } } } } },
      responses: { 200: { description: "The settings as saved", content: { "application/json": { schema: MODEL_SETTINGS } } }, ...errors(400, 401, 404, 409) },
    },
  },
  "/v1/models/{id}/card": { get: { summary: "The model card (JSON): inputs, thresholds, metrics, training data", parameters: idParam, responses: { 200: { description: "The card" }, ...errors(400, 401, 404, 409) } } },
  "/v1/models/{id}/download": {
    get: {
      summary: "A presigned URL for the model's ONNX file, to run it elsewhere",
      parameters: [...idParam, { name: "redirect", in: "query", schema: { type: "string", enum: ["1"] }, description: "Answer 302 to the URL instead of JSON" }],
      responses: { 200: ok("Where to download", "Download"), 302: { description: "Redirect to the URL" }, ...errors(400, 401, 404, 409) },
    },
  },
  "/v1/models/{id}/chart.svg": {
    get: {
      summary: "A READY model's picture as SVG: held-out calibration (default) or what drives churn, term importance (?chart=importance)",
      parameters: [...idParam, { name: "chart", in: "query", schema: { type: "string", enum: ["calibration", "importance"] } }],
      responses: { 200: { description: "SVG image", content: { "image/svg+xml": { schema: { type: "string" } } } }, ...errors(400, 401, 404, 409) },
    },
  },
  "/v1/account/default-model": {
    put: {
      summary: "Choose the model uploads score with when they name none",
      requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/DefaultModel" } } } },
      responses: { 200: ok("The new default model", "Model"), ...errors(400, 401, 404) },
    },
  },
};

/** The OpenAPI document, with its schemas generated from the same valibot schemas the handlers use. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "RetainWise API", version: "1", description: "Churn prediction as a service: upload a customer CSV, get churn probabilities, risk levels and reasons." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key from 'retainwise keys create'" } },
      schemas: { Prediction: json(PredictionSchema), PredictionList: json(PredictionListSchema), Download: json(DownloadSchema), Limits: json(LimitsSchema), Error: json(ErrorSchema), ...MODEL_SCHEMAS },
    },
    security: [{ bearer: [] }],
    paths: {
      "/v1/predictions": {
        post: {
          summary: "Upload a CSV to score",
          description:
            "Raw `text/csv` body (name it with `?filename=`) or the `file` field of multipart/form-data. Streamed to storage; answered before scoring starts. `?model=ID` scores with that READY model (yours or the built-in one; 404 otherwise, 409 `model.not_ready` unless READY); without it, the account's default model. The header row is read first: a file missing columns the model (or the challenger) reads is refused with 400 `csv.missing_columns` before anything is stored, naming the columns, with `error.details.matchingModels`: the account's READY models that read every column the file needs.",
          parameters: [
            { name: "model", in: "query", schema: { type: "string", format: "uuid" }, description: "The model to score with (default: the account's default model)" },
            {
              name: "challenger",
              in: "query",
              schema: { type: "string", format: "uuid" },
              description: "A second READY model (another than the champion; 404/409 as for model) that scores every row too: the result gains challenger_probability, the champion still decides risk level and reasons; /performance compares the two once outcomes arrive",
            },
            {
              name: "idColumn",
              in: "query",
              schema: { type: "string", minLength: 1, maxLength: 200 },
              description: "The column to take customer_id from, matched ignoring case, spaces and punctuation (default: the model's identifier column when the file has it, else customerID or an alias, else the row number). A file without it FAILS with csv.missing_columns naming the closest columns",
            },
            IDEMPOTENCY_KEY,
          ],
          requestBody: { content: { "text/csv": { schema: { type: "string" } }, "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } } } } } },
          responses: { 202: ok("Accepted and queued (Location: /v1/predictions/{id})", "Prediction"), ...errors(400, 401, 408, 409, 413, 415, 429, 503) },
        },
        get: {
          summary: "List predictions, newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
            { name: "cursor", in: "query", schema: { type: "string" }, description: "`nextCursor` of the previous page" },
          ],
          responses: { 200: ok("A page of predictions", "PredictionList"), ...errors(400, 401) },
        },
      },
      "/v1/predictions/{id}": {
        get: { summary: "Status, progress, metrics and error of a prediction", parameters: idParam, responses: { 200: ok("The prediction", "Prediction"), ...errors(400, 401, 404) } },
        delete: { summary: "Cancel (if queued or running) and delete a prediction and its files", parameters: idParam, responses: { 200: ok("The prediction as deleted", "Prediction"), ...errors(400, 401, 404) } },
      },
      "/v1/predictions/{id}/retry": {
        post: {
          summary: "Score a finished prediction's stored file again",
          description:
            "For a FAILED (or COMPLETED) prediction whose file is still stored: a new prediction of the same file, checked and queued as an upload. `model`, `challenger` and `idColumn` default to the first run's; name another `?model=` (e.g. one of the `matchingModels` a refusal listed). 409 `prediction.not_ready` while it runs, 409 `prediction.input_gone` once its file has expired.",
          parameters: [...idParam, { name: "model", in: "query", schema: { type: "string", format: "uuid" } }, { name: "challenger", in: "query", schema: { type: "string", format: "uuid" } }, { name: "idColumn", in: "query", schema: { type: "string" } }],
          responses: { 202: ok("The new prediction, queued (Location: /v1/predictions/{id})", "Prediction"), ...errors(400, 401, 404, 409, 429, 503) },
        },
      },
      "/v1/predictions/{id}/download": {
        get: {
          summary: "A presigned URL for the scored CSV (valid 10 minutes)",
          description: "Columns `customer_id,churn_probability,risk_level,risk_factors,protective_factors,retention_action,model_version,error` (`retention_action`: blank unless the model's settings name actionable columns, PUT /v1/models/{id}/settings). Every text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so spreadsheets do not run it as a formula (OWASP CSV injection); probabilities stay numbers.",
          parameters: [...idParam, { name: "redirect", in: "query", schema: { type: "string", enum: ["1"] }, description: "Answer 302 to the URL instead of JSON" }],
          responses: { 200: ok("Where to download", "Download"), 302: { description: "Redirect to the URL" }, ...errors(400, 401, 404, 409) },
        },
      },
      "/v1/predictions/{id}/errors": {
        get: {
          summary: "The error report: `row,customer_id,error` for every row that could not be scored (CSV)",
          description: "There once the prediction is COMPLETED, or FAILED after reading its rows (too many bad rows): the way to find and fix them. Rows are 1-based data rows, header excluded. 404 when the job failed before reading rows (its error says why).",
          parameters: [...idParam, { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 }, description: "Only the header and the first `limit` rows" }],
          responses: { 200: { description: "text/csv" }, ...errors(400, 401, 404, 409) },
        },
      },
      "/v1/predictions/{id}/chart.svg": {
        get: {
          summary: "The risk picture as SVG: histogram of probabilities (default) or High/Medium/Low counts (?chart=risk)",
          parameters: [...idParam, { name: "chart", in: "query", schema: { type: "string", enum: ["histogram", "risk"] } }],
          responses: { 200: { description: "image/svg+xml" }, ...errors(400, 401, 404, 409) },
        },
      },
      ...MODEL_PATHS,
      ...outcomePaths(idParam, errors),
      "/v1/limits": { get: { summary: "Upload limits, for client-side checks", security: [], responses: { 200: ok("Limits", "Limits") } } },
      "/healthz": { get: { summary: "The process is up", security: [], responses: { 200: { description: "ok" } } } },
      "/readyz": { get: { summary: "Database, store and queue reachable", security: [], responses: { 200: { description: "ready" }, 503: { description: "not ready; names what is down" } } } },
    },
  };
}

/** `/openapi.json` and `/docs`: a self-contained page (no CDN) listing every operation and schema. */
export function docsRoutes(): Hono<ApiEnv> {
  const document = openApiDocument();
  const page = renderDocs(document);
  const app = new Hono<ApiEnv>();
  app.get("/openapi.json", (c) => c.json(document));
  app.get("/docs", (c) => c.html(page));
  return app;
}

function renderDocs(document: Record<string, unknown>): string {
  const paths = document.paths as Record<string, Record<string, { summary: string; description?: string; responses: Record<string, { description: string }> }>>;
  const operations = Object.entries(paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, op]) =>
          `<section><h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2><p>${prose(op.summary)}</p>${op.description ? `<p>${prose(op.description)}</p>` : ""}<ul>${Object.entries(op.responses)
            .map(([status, r]) => `<li><b>${status}</b> ${prose(r.description)}</li>`)
            .join("")}</ul></section>`,
      ),
    )
    .join("\n");
  const schemas = escapeHtml(JSON.stringify((document.components as { schemas: unknown }).schemas, null, 2));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>RetainWise API</title><link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2933}code,pre{font-family:ui-monospace,monospace}pre{background:#f4f5f7;padding:1rem;overflow:auto}section{border-top:1px solid #e4e7eb}</style></head>
<body><p><a href="/predictions">&larr; Back to RetainWise</a></p><h1>RetainWise API</h1><p>Upload with curl: <code>curl -H "Authorization: Bearer $KEY" -H "Content-Type: text/csv" --data-binary @customers.csv "$URL/v1/predictions?filename=customers.csv"</code> (without <code>?filename=</code> a raw upload is named <code>upload.csv</code>), or <code>curl -H "Authorization: Bearer $KEY" -F file=@customers.csv $URL/v1/predictions</code>, which keeps the file's name.</p><p>All endpoints under <code>/v1</code> take <code>Authorization: Bearer &lt;api key&gt;</code>. Errors are <code>{"error":{"code","kind","message"}}</code>, one HTTP status per kind (every code: docs/ERRORS.md in the repository). Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
${operations}<h2>Schemas</h2><pre>${schemas}</pre></body></html>`;
}

/** Escaped text whose `backticks` become <code>. */
function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}
