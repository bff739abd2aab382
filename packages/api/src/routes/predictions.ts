import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { Readable } from "node:stream";
import { isRetainwiseError, RetainwiseError } from "@retainwise/core/errors";
import { errorReportKeyFor, outputKeyFor, submitJob, TERMINAL_STATUSES, type Prediction } from "@retainwise/core/jobs";
import { errorReportHead } from "@retainwise/core/scoring/results";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { bearerAuth } from "../middleware/auth.ts";
import { ErrorReportQuerySchema, errorReportFilename, IdParamSchema, ListQuerySchema, resultFilename, ScoreQuerySchema, toPredictionJson } from "../schemas.ts";
import { CSV_CONTENT_TYPES, DEFAULT_UPLOAD_IDLE_SECONDS, openUpload } from "../upload.ts";
import { parseOr400 } from "../validate.ts";
import { renderChart } from "../ui/chart.ts";
import { usableChallenger, usableModel } from "./models.ts";

/** `/v1/predictions`: upload, list, read, download, delete — every query scoped to the caller's account. */
export function predictionRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const { predictions, store, queue, logger } = deps;
  const app = new Hono<ApiEnv>();
  app.use("*", bearerAuth(deps.accounts));

  app.post("/", async (c) => {
    const account = c.get("account");
    const { model: chosen, challenger: challengerId, idColumn } = parseOr400(ScoreQuerySchema, c.req.query(), "query parameter");
    const model = await usableModel(deps, account.id, chosen ?? (await deps.models.defaultModelId(account.id)));
    const challenger = challengerId === undefined ? null : await usableChallenger(deps, account.id, model, challengerId);
    const upload = await openUpload(c.req.raw, deps.maxUploadBytes, (deps.uploadIdleSeconds ?? DEFAULT_UPLOAD_IDLE_SECONDS) * 1000);
    const id = randomUUID();
    const inputKey = `inputs/${id}.csv`;
    try {
      const created = await submitJob({
        kind: "score",
        store,
        queue,
        rows: predictions,
        logger,
        key: inputKey,
        body: upload.body,
        insert: (bytes) => predictions.create({ id, accountId: account.id, inputKey, inputFilename: upload.filename, inputBytes: bytes, modelId: model.id, challengerModelId: challenger?.id ?? null, idColumn: idColumn ?? null }),
      });
      c.header("Location", `/v1/predictions/${id}`);
      return c.json(toPredictionJson(created), 202);
    } catch (error) {
      if (!c.req.raw.signal.aborted) throw error;
      // Nobody is left to answer: log it as what it is, not as a server fault.
      logger.info("upload abandoned: the client disconnected", { requestId: c.get("requestId"), jobId: id });
      throw new RetainwiseError("upload.aborted", "The upload was interrupted before it finished. Send the file again.");
    }
  });

  app.get("/", async (c) => {
    const query = parseOr400(ListQuerySchema, c.req.query(), "query parameter");
    const page = await predictions.list(c.get("account").id, { limit: query.limit, cursor: query.cursor ?? null });
    return c.json({ items: page.items.map(toPredictionJson), nextCursor: page.nextCursor });
  });

  app.get("/:id", async (c) => c.json(toPredictionJson(await owned(c.get("account").id, c.req.param("id")))));

  app.get("/:id/download", async (c) => {
    const prediction = await owned(c.get("account").id, c.req.param("id"));
    if (prediction.status !== "COMPLETED" || !prediction.outputKey) {
      const why = prediction.status === "FAILED" ? ` It failed: ${prediction.errorMessage}` : " Try again when its status is COMPLETED.";
      throw new RetainwiseError("prediction.not_ready", `Prediction ${prediction.id} is ${prediction.status}; there is nothing to download yet.${why}`);
    }
    const filename = resultFilename(prediction.inputFilename);
    const signed = await store.presignGet(prediction.outputKey, { expiresInSeconds: deps.downloadUrlTtlSeconds, filename });
    if (c.req.query("redirect") === "1") return c.redirect(signed.url, 302);
    return c.json({ url: signed.url, expiresAt: signed.expiresAt.toISOString(), filename });
  });

  app.get("/:id/errors", async (c) => {
    const prediction = await owned(c.get("account").id, c.req.param("id"));
    const { limit } = parseOr400(ErrorReportQuerySchema, c.req.query(), "query parameter");
    const report = await errorReport(prediction);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="${errorReportFilename(prediction.inputFilename)}"`);
    if (limit !== undefined) return c.body(await errorReportHead(report, limit));
    return c.body(Readable.toWeb(report) as ReadableStream);
  });

  app.get("/:id/chart.svg", async (c) => {
    const prediction = await owned(c.get("account").id, c.req.param("id"));
    if (!prediction.metrics) throw new RetainwiseError("prediction.not_ready", `Prediction ${prediction.id} is ${prediction.status}; its chart exists once it is COMPLETED.`);
    const kind = c.req.query("chart") === "risk" ? "risk" : "histogram";
    c.header("Cache-Control", "private, max-age=300");
    return c.body(renderChart(kind, prediction.metrics), 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
  });

  app.delete("/:id", async (c) => {
    const account = c.get("account");
    const prediction = await owned(account.id, c.req.param("id"));
    const after = TERMINAL_STATUSES.includes(prediction.status) ? prediction : ((await predictions.cancel(account.id, prediction.id)) ?? prediction);
    // Every attempt's objects, finished or not: a store also drops what an interrupted write left.
    const attempts = Array.from({ length: after.attempts }, (_, i) => [outputKeyFor(prediction.id, i + 1), errorReportKeyFor(prediction.id, i + 1)]).flat();
    await Promise.all([prediction.inputKey, after.outputKey, ...attempts].filter((k): k is string => !!k).map((key) => store.delete(key)));
    await predictions.remove(account.id, prediction.id);
    return c.json({ ...toPredictionJson(after), deleted: true });
  });

  return app;

  /** The report of the prediction's last attempt: there once it is COMPLETED, or FAILED after reading its rows. */
  async function errorReport(prediction: Prediction): Promise<Readable> {
    if (!TERMINAL_STATUSES.includes(prediction.status)) {
      throw new RetainwiseError("prediction.not_ready", `Prediction ${prediction.id} is ${prediction.status}; its error report exists once it is COMPLETED or FAILED.`);
    }
    try {
      return await store.get(errorReportKeyFor(prediction.id, prediction.attempts));
    } catch (error) {
      if (!(isRetainwiseError(error) && error.kind === "not_found")) throw error;
      const why = prediction.status === "FAILED" ? ` It failed before reading its rows: ${prediction.errorMessage}` : "";
      throw new RetainwiseError("error_report.not_found", `Prediction ${prediction.id} has no error report.${why}`);
    }
  }

  async function owned(accountId: string, rawId: string): Promise<Prediction> {
    const { id } = parseOr400(IdParamSchema, { id: rawId }, "path parameter", "request.bad_id");
    const prediction = await predictions.get(accountId, id);
    // Another account's prediction is "not found" too: ids are not secrets, but existence is.
    if (!prediction) throw new RetainwiseError("prediction.not_found", `No prediction ${id} in this account.`);
    return prediction;
  }
}

export const ACCEPTED_TYPES = [...CSV_CONTENT_TYPES, "multipart/form-data"];
