import type { Readable } from "node:stream";
import { Hono, type Context } from "hono";
import { isRetainwiseError, RetainwiseError } from "@retainwise/core/errors";
import { errorReportKeyFor, TERMINAL_STATUSES, type Prediction } from "@retainwise/core/predictions";
import { usableChallenger, usableModel } from "@retainwise/core/models";
import { deletePrediction, newPredictionId, submitPrediction } from "@retainwise/core/predictions";
import { errorReportPreview, type RowError } from "@retainwise/core/scoring/results";
import type { ApiDeps, ApiEnv } from "../env.ts";
import * as v from "valibot";
import { documented } from "../openapi/route-docs.ts";
import {
  DownloadQuerySchema,
  ErrorReportQuerySchema,
  errorReportFilename,
  ListQuerySchema,
  PredictionChartQuerySchema,
  resultFilename,
  ScoreQuerySchema,
  toPredictionJson,
} from "../schemas.ts";
import {
  DELETE_PREDICTION,
  DOWNLOAD_PREDICTION,
  GET_PREDICTION,
  LIST_PREDICTIONS,
  PREDICTION_CHART,
  PREDICTION_ERRORS,
  RETRY_PREDICTION,
  SUBMIT_PREDICTION,
} from "./prediction-docs.ts";
import { DEFAULT_UPLOAD_IDLE_SECONDS, openUpload } from "../upload.ts";
import { parseOr400 } from "../validate.ts";
import { renderChart } from "../ui/chart.ts";
import { checkScoringColumns, checkScoringHeader, type ScoringModels } from "../column-check.ts";
import { ownedPrediction } from "./owned.ts";
import { predictionOutcomeRoutes } from "./prediction-outcomes.ts";
import type { RouteGuards } from "./v1.ts";

/**
 * `/v1/predictions`: upload, list, read, download, retry, delete — every query scoped to the
 * caller's account — and, from prediction-outcomes.ts, what happened since (performance, drift,
 * promoting the challenger, training on the outcomes).
 */
export function predictionRoutes(deps: ApiDeps, guards: RouteGuards): Hono<ApiEnv> {
  const { predictions, store } = deps;
  const app = new Hono<ApiEnv>();

  app.post(
    "/",
    guards.idempotent,
    guards.upload,
    documented(SUBMIT_PREDICTION, async (c) => {
      const account = c.get("account");
      const query = parseOr400(ScoreQuerySchema, c.req.query(), "query parameter");
      const models = await scoringModels(account.id, {
        ...query,
        model: query.model ?? (await deps.models.defaultModelId(account.id)),
      });
      const upload = await openUpload(
        c.req.raw,
        deps.maxUploadBytes,
        (deps.uploadIdleSeconds ?? DEFAULT_UPLOAD_IDLE_SECONDS) * 1000,
      );
      const created = await submitScoring(c, { body: upload.body, filename: upload.filename, ...models });
      c.header("Location", `/v1/predictions/${created.id}`);
      return c.json(toPredictionJson(created), 202);
    }),
  );

  // Scores a finished prediction's stored input again: after a failure (with ?model= another model,
  // e.g. one the refusal named), or with another model than the first time. Same checks as an upload.
  app.post(
    "/:id/retry",
    documented(RETRY_PREDICTION, async (c) => {
      const account = c.get("account");
      const prediction = await owned(c);
      if (!TERMINAL_STATUSES.includes(prediction.status)) {
        throw new RetainwiseError(
          "prediction.not_ready",
          `Prediction ${prediction.id} is ${prediction.status}; it can be scored again once it is COMPLETED or FAILED.`,
        );
      }
      const query = parseOr400(ScoreQuerySchema, c.req.query(), "query parameter");
      const model = query.model ?? prediction.modelId ?? (await deps.models.defaultModelId(account.id));
      // The first run's challenger, unless it is now the model itself.
      const challenger =
        query.challenger ??
        (prediction.challengerModelId === model ? undefined : (prediction.challengerModelId ?? undefined));
      const models = await scoringModels(account.id, {
        model,
        challenger,
        idColumn: query.idColumn ?? prediction.idColumn ?? undefined,
      });
      // The stored input is copied inside the store, never read back through the API: its header,
      // kept from the upload, is checked against the models instead (older rows: by the worker).
      if (prediction.inputColumns) await checkScoringColumns(deps, account.id, prediction.inputColumns, models);
      const created = await submitPrediction(deps, {
        id: newPredictionId(),
        accountId: account.id,
        filename: prediction.inputFilename,
        columns: prediction.inputColumns,
        body: { copyOf: prediction.inputKey, bytes: prediction.inputBytes },
        ...models,
      }).catch((error) => {
        if (!(isRetainwiseError(error) && error.kind === "not_found")) throw error;
        throw new RetainwiseError(
          "prediction.input_gone",
          `The file of prediction ${prediction.id} (${prediction.inputFilename}) is no longer stored, so it cannot be scored again. Upload it again with POST /v1/predictions.`,
        );
      });
      c.header("Location", `/v1/predictions/${created.id}`);
      return c.json(toPredictionJson(created), 202);
    }),
  );

  app.get(
    "/",
    documented(LIST_PREDICTIONS, async (c) => {
      const query = parseOr400(ListQuerySchema, c.req.query(), "query parameter");
      const page = await predictions.list(c.get("account").id, { limit: query.limit, cursor: query.cursor ?? null });
      return c.json({ items: page.items.map(toPredictionJson), nextCursor: page.nextCursor });
    }),
  );

  app.get(
    "/:id",
    documented(GET_PREDICTION, async (c) => c.json(toPredictionJson(await owned(c)))),
  );

  app.get(
    "/:id/download",
    documented(DOWNLOAD_PREDICTION, async (c) => {
      const prediction = await owned(c);
      if (prediction.status !== "COMPLETED" || !prediction.outputKey) {
        const why =
          prediction.status === "FAILED"
            ? ` It failed: ${prediction.errorMessage}`
            : " Try again when its status is COMPLETED.";
        throw new RetainwiseError(
          "prediction.not_ready",
          `Prediction ${prediction.id} is ${prediction.status}; there is nothing to download yet.${why}`,
        );
      }
      const filename = resultFilename(prediction.inputFilename);
      const signed = await store.presignGet(prediction.outputKey, {
        expiresInSeconds: deps.downloadUrlTtlSeconds,
        filename,
      });
      if (v.parse(DownloadQuerySchema, c.req.query()).redirect === "1") return c.redirect(signed.url, 302);
      return c.json({ url: signed.url, expiresAt: signed.expiresAt.toISOString(), filename });
    }),
  );

  app.get(
    "/:id/errors",
    documented(PREDICTION_ERRORS, async (c) => {
      const prediction = await owned(c);
      const query = parseOr400(ErrorReportQuerySchema, c.req.query(), "query parameter");
      const rows = keptRowErrors(prediction);
      const filename = errorReportFilename(prediction.inputFilename);
      if (query.limit !== undefined) {
        c.header("Content-Type", "text/csv; charset=utf-8");
        c.header("Content-Disposition", `attachment; filename="${filename}"`);
        return c.body(errorReportPreview(rows, query.limit));
      }
      const signed = await store.presignGet(errorReportKeyFor(prediction.id, prediction.attempts), {
        expiresInSeconds: deps.downloadUrlTtlSeconds,
        filename,
      });
      if (v.parse(DownloadQuerySchema, c.req.query()).redirect === "1") return c.redirect(signed.url, 302);
      return c.json({ url: signed.url, expiresAt: signed.expiresAt.toISOString(), filename });
    }),
  );

  app.get(
    "/:id/chart.svg",
    documented(PREDICTION_CHART, async (c) => {
      const prediction = await owned(c);
      if (!prediction.metrics)
        throw new RetainwiseError(
          "prediction.not_ready",
          `Prediction ${prediction.id} is ${prediction.status}; its chart exists once it is COMPLETED.`,
        );
      const kind = v.parse(PredictionChartQuerySchema, c.req.query()).chart;
      c.header("Cache-Control", "private, max-age=300");
      return c.body(renderChart(kind, prediction.metrics), 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
    }),
  );

  app.delete(
    "/:id",
    documented(DELETE_PREDICTION, async (c) => {
      const after = await deletePrediction(deps, c.get("account").id, await owned(c));
      return c.json({ ...toPredictionJson(after), deleted: true });
    }),
  );

  app.route("/", predictionOutcomeRoutes(deps, guards));
  return app;

  function owned(c: Context<ApiEnv>): Promise<Prediction> {
    return ownedPrediction(deps, c.get("account").id, c.req.param("id") ?? "");
  }

  async function scoringModels(
    accountId: string,
    chosen: { model: string; challenger?: string | undefined; idColumn?: string | undefined },
  ): Promise<ScoringModels> {
    const model = await usableModel(deps.models, accountId, chosen.model);
    const challenger =
      chosen.challenger === undefined ? null : await usableChallenger(deps.models, accountId, model, chosen.challenger);
    return { model, challenger, idColumn: chosen.idColumn };
  }

  /** Checks the file's header against the models, then stores it and queues its scoring: the new QUEUED prediction. */
  async function submitScoring(
    c: Context<ApiEnv>,
    { body, filename, ...models }: ScoringModels & { body: Readable; filename: string },
  ): Promise<Prediction> {
    const accountId = c.get("account").id;
    const id = newPredictionId();
    try {
      const checked = await checkScoringHeader(deps, accountId, body, models);
      return await submitPrediction(deps, { id, accountId, filename, ...models, ...checked });
    } catch (error) {
      if (!c.req.raw.signal.aborted) throw error;
      // Nobody is left to answer: log it as what it is, not as a server fault.
      deps.logger.info("upload abandoned: the client disconnected", { requestId: c.get("requestId"), jobId: id });
      throw new RetainwiseError(
        "upload.aborted",
        "The upload was interrupted before it finished. Send the file again.",
      );
    }
  }

  /**
   * The first rows of the last attempt's error report, as kept with the prediction: a report exists
   * once it is COMPLETED (its summary's row errors), or FAILED on too many bad rows (the failure's
   * details); any other failure came before its rows were read.
   */
  function keptRowErrors(prediction: Prediction): readonly RowError[] {
    if (!TERMINAL_STATUSES.includes(prediction.status)) {
      throw new RetainwiseError(
        "prediction.not_ready",
        `Prediction ${prediction.id} is ${prediction.status}; its error report exists once it is COMPLETED or FAILED.`,
      );
    }
    if (prediction.status === "COMPLETED") return prediction.metrics?.rowErrors ?? [];
    if (prediction.errorCode === "csv.too_many_bad_rows") {
      const kept = prediction.errorDetails?.rowErrors;
      return Array.isArray(kept) ? (kept as RowError[]) : [];
    }
    const why = prediction.status === "FAILED" ? ` It failed before reading its rows: ${prediction.errorMessage}` : "";
    throw new RetainwiseError("error_report.not_found", `Prediction ${prediction.id} has no error report.${why}`);
  }
}
