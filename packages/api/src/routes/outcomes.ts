import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { Readable } from "node:stream";
import { RetainwiseError } from "@retainwise/core/errors";
import { BUILTIN_MODEL_ID, modelLabel, modelPrefix, submitJob, type Prediction } from "@retainwise/core/jobs";
import { assertEnoughToTrain, indexPendingScores, labeledTrainingRows, OUTCOME_LABEL, readOutcomes, realizedPerformance, type RealizedPerformance } from "@retainwise/core/outcomes";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { bearerAuth } from "../middleware/auth.ts";
import { IdParamSchema, toModelJson, TrainQuerySchema } from "../schemas.ts";
import { renderPerformanceChart } from "../ui/performance-chart.ts";
import { openUpload } from "../upload.ts";
import { parseOr400 } from "../validate.ts";

/**
 * Closing the loop: `POST/GET /v1/outcomes` (what happened to customers),
 * `GET /v1/predictions/:id/performance` and `/v1/models/:id/performance` (how probabilities matched
 * it) and `POST /v1/models?fromPrediction=` (retrain on it). Mounted at
 * `/v1` before the predictions routes, so its performance path answers first; auth is per path
 * because `/v1/limits` is public.
 */
export function outcomeRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const { outcomes, predictions } = deps;
  const app = new Hono<ApiEnv>();
  const auth = bearerAuth(deps.accounts);
  app.use("/outcomes", auth);
  app.use("/predictions/:id/performance", auth);
  app.use("/predictions/:id/performance.svg", auth);
  app.use("/models/:id/performance", auth);
  app.on("POST", "/models", async (c, next) => (c.req.query("fromPrediction") === undefined ? next() : auth(c, next)));

  // `POST /v1/models?fromPrediction=ID&name=NAME`: train on what happened to a prediction's customers.
  // Without `fromPrediction` the request goes on to the models routes (a labeled upload).
  app.post("/models", async (c, next) => {
    const from = c.req.query("fromPrediction");
    if (from === undefined) return next();
    const account = c.get("account");
    const params = parseOr400(TrainQuerySchema, { ...c.req.query(), label: OUTCOME_LABEL }, "parameter");
    const prediction = await completedPrediction(account.id, from);
    await indexPendingScores(deps, account.id, [prediction.id]);
    const labels = await outcomes.labelsFor(account.id, prediction.id);
    assertEnoughToTrain(labels);
    const id = randomUUID();
    const inputKey = `${modelPrefix({ id, accountId: account.id })}/training.csv`;
    const created = await submitJob({
      kind: "train",
      store: deps.store,
      queue: deps.queue,
      rows: deps.models,
      logger: deps.logger,
      key: inputKey,
      body: Readable.from(labeledTrainingRows(await deps.store.get(prediction.inputKey), labels)),
      insert: (bytes) =>
        deps.models.create(
          { id, accountId: account.id, name: params.name, labelColumn: OUTCOME_LABEL, positiveValue: "yes", inputKey, inputFilename: `outcomes-of-${prediction.inputFilename}`, inputBytes: bytes },
          { maxInProgress: deps.maxConcurrentTrainings },
        ),
    });
    c.header("Location", `/v1/models/${id}`);
    return c.json(toModelJson(created, await deps.models.defaultModelId(account.id)), 202);
  });

  app.post("/outcomes", async (c) => {
    const account = c.get("account");
    const upload = await openUpload(c.req.raw, deps.maxUploadBytes);
    const uploadId = randomUUID();
    try {
      const read = await readOutcomes(upload.body, (batch) => outcomes.upsert(account.id, uploadId, batch));
      await indexPendingScores(deps, account.id);
      const rowsMatched = await outcomes.countMatched(account.id, uploadId);
      deps.logger.info("outcomes received", { requestId: c.get("requestId"), rows: read.rowsRead, accepted: read.rowsAccepted, matched: rowsMatched });
      return c.json({ uploadId, rowsRead: read.rowsRead, rowsAccepted: read.rowsAccepted, rowsRejected: read.rowsRejected, rowsMatched, rowErrors: read.rowErrors }, 200);
    } finally {
      upload.body.destroy();
    }
  });

  app.get("/outcomes", async (c) => {
    const counts = await outcomes.counts(c.get("account").id);
    return c.json({ customers: counts.customers, churned: counts.churned, lastObservedAt: counts.lastObservedAt?.toISOString() ?? null });
  });

  app.get("/predictions/:id/performance", async (c) => {
    const { prediction, performance } = await predictionPerformance(c.get("account").id, c.req.param("id"));
    return c.json({ predictionId: prediction.id, modelVersion: prediction.modelVersion, predictedAt: prediction.createdAt.toISOString(), ...performance });
  });

  app.get("/predictions/:id/performance.svg", async (c) => {
    const { performance } = await predictionPerformance(c.get("account").id, c.req.param("id"));
    if (performance.status !== "ready") throw new RetainwiseError("performance.not_enough_outcomes", `The chart needs more outcomes: ${performance.message}.`);
    return c.body(renderPerformanceChart(performance), 200, { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "private, no-cache" });
  });

  app.get("/models/:id/performance", async (c) => {
    const account = c.get("account");
    const { id } = parseOr400(IdParamSchema, { id: c.req.param("id") }, "path parameter", "request.bad_id");
    const model = await deps.models.get(account.id, id);
    if (!model) throw new RetainwiseError("model.not_found", `No model ${id} in this account. List your models with GET /v1/models.`);
    const scored = (await outcomes.predictionDigests(account.id, { modelId: model.id, builtinModelId: BUILTIN_MODEL_ID })).filter((p) => p.status === "COMPLETED");
    const ids = scored.map((p) => p.id);
    await indexPendingScores(deps, account.id, ids);
    const rows = await outcomes.labeledScores(account.id, ids);
    return c.json({ modelId: model.id, model: modelLabel(model), predictions: ids.length, ...realizedPerformance(rows) });
  });

  return app;

  async function predictionPerformance(accountId: string, rawId: string): Promise<{ prediction: Prediction; performance: RealizedPerformance }> {
    const prediction = await completedPrediction(accountId, rawId);
    await indexPendingScores(deps, accountId, [prediction.id]);
    return { prediction, performance: realizedPerformance(await outcomes.labeledScores(accountId, [prediction.id])) };
  }

  async function completedPrediction(accountId: string, rawId: string): Promise<Prediction> {
    const { id } = parseOr400(IdParamSchema, { id: rawId }, "path parameter", "request.bad_id");
    const prediction = await predictions.get(accountId, id);
    if (!prediction) throw new RetainwiseError("prediction.not_found", `No prediction ${id} in this account.`);
    if (prediction.status !== "COMPLETED") {
      throw new RetainwiseError("prediction.not_ready", `Prediction ${id} is ${prediction.status}; its performance can be measured once it is COMPLETED.`);
    }
    return prediction;
  }
}
