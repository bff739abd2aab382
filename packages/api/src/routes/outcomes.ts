import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { RetainwiseError } from "@retainwise/core/errors";
import { BUILTIN_MODEL_ID, enqueueJob, modelLabel, type Prediction } from "@retainwise/core/jobs";
import {
  acceptedOutcomeColumns,
  assertEnoughToTrain,
  compareChallenger,
  OUTCOME_LABEL,
  outcomeVocabulary,
  pairedRows,
  PSI_FLAG,
  readOutcomes,
  realizedPerformance,
  type LabeledScore,
  type OutcomeVocabulary,
  type RealizedPerformance,
  waitForScoreCopies,
} from "@retainwise/core/outcomes";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { bearerAuth } from "../middleware/auth.ts";
import { IdParamSchema, toModelJson, TrainQuerySchema } from "../schemas.ts";
import { renderPerformanceChart } from "../ui/performance-chart.ts";
import { openUpload } from "../upload.ts";
import { parseOr400 } from "../validate.ts";
import { readyModels, usableModel } from "./models.ts";

/** Drift reports a model's performance lists: its latest files. */
const RECENT_DRIFTS = 10;

const NOT_MEASURED = (model: string | null) =>
  `Drift was not measured for this prediction: the model${model ? ` ${model}` : ""} has no training distribution in its card (models trained before drift was recorded). Retrain it (POST /v1/models) to measure drift on the files it scores.`;

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
  app.use("/predictions/:id/drift", auth);
  app.use("/predictions/:id/promote-challenger", auth);
  app.use("/models/:id/performance", auth);
  app.use("/models/:id/performance.svg", auth);
  app.on("POST", "/models", async (c, next) => (c.req.query("fromPrediction") === undefined ? next() : auth(c, next)));

  // `POST /v1/models?fromPrediction=ID&name=NAME`: train on what happened to a prediction's customers.
  // Without `fromPrediction` the request goes on to the models routes (a labeled upload).
  app.post("/models", async (c, next) => {
    const from = c.req.query("fromPrediction");
    if (from === undefined) return next();
    const account = c.get("account");
    const params = parseOr400(TrainQuerySchema, { ...c.req.query(), label: OUTCOME_LABEL }, "parameter");
    const prediction = await completedPrediction(account.id, from, "it can be trained on");
    await waitForScoreCopies(outcomes, account.id, [prediction.id]);
    assertEnoughToTrain(await outcomes.labelsFor(account.id, prediction.id));
    // The worker builds the training file from the prediction's input and outcomes (jobs/train-model.ts).
    const id = randomUUID();
    const created = await deps.models.create(
      { id, accountId: account.id, name: params.name, labelColumn: OUTCOME_LABEL, positiveValue: "yes", inputKey: null, sourcePredictionId: prediction.id, inputFilename: `outcomes-of-${prediction.inputFilename}`, inputBytes: 0 },
      { maxInProgress: deps.maxConcurrentTrainings },
    );
    await enqueueJob("train", id, { queue: deps.queue, rows: deps.models, logger: deps.logger });
    c.header("Location", `/v1/models/${id}`);
    return c.json(toModelJson(created, await deps.models.defaultModelId(account.id)), 202);
  });

  app.post("/outcomes", async (c) => {
    const account = c.get("account");
    const upload = await openUpload(c.req.raw, deps.maxUploadBytes);
    const uploadId = randomUUID();
    try {
      const read = await readOutcomes(upload.body, (batch) => outcomes.upsert(account.id, uploadId, batch), { vocabularies: await vocabularies(account.id) });
      await waitForScoreCopies(outcomes, account.id);
      const rowsMatched = await outcomes.countMatched(account.id, uploadId);
      deps.logger.info("outcomes received", { requestId: c.get("requestId"), rows: read.rowsRead, accepted: read.rowsAccepted, matched: rowsMatched });
      return c.json({ uploadId, rowsRead: read.rowsRead, rowsAccepted: read.rowsAccepted, rowsRejected: read.rowsRejected, rowsMatched, rowErrors: read.rowErrors, matched: read.matched }, 200);
    } finally {
      upload.body.destroy();
    }
  });

  app.get("/outcomes", async (c) => {
    const accountId = c.get("account").id;
    const [counts, words] = await Promise.all([outcomes.counts(accountId), vocabularies(accountId)]);
    // `accepts`: the column names an upload may use, the account's models' own included (the Outcomes page shows them).
    return c.json({ customers: counts.customers, churned: counts.churned, lastObservedAt: counts.lastObservedAt?.toISOString() ?? null, accepts: acceptedOutcomeColumns(words) });
  });

  app.get("/predictions/:id/performance", async (c) => {
    const account = c.get("account");
    const { prediction, performance, rows } = await predictionPerformance(account.id, c.req.param("id"));
    const challenger = prediction.challengerModelId ? await challengerJson(account.id, prediction.challengerModelId, rows) : null;
    return c.json({ predictionId: prediction.id, modelVersion: prediction.modelVersion, predictedAt: prediction.createdAt.toISOString(), ...performance, challenger });
  });

  app.get("/predictions/:id/drift", async (c) => {
    const prediction = await completedPrediction(c.get("account").id, c.req.param("id"), "its drift is measured");
    const { drift } = prediction;
    if (!drift) {
      return c.json({ predictionId: prediction.id, modelVersion: prediction.modelVersion, status: "not_measured", threshold: PSI_FLAG, message: NOT_MEASURED(prediction.modelVersion) });
    }
    return c.json({ predictionId: prediction.id, modelVersion: prediction.modelVersion, status: "measured", threshold: PSI_FLAG, ...drift });
  });

  // "Promote challenger": the challenger becomes the account's default model.
  app.post("/predictions/:id/promote-challenger", async (c) => {
    const account = c.get("account");
    const prediction = await ownedPrediction(account.id, c.req.param("id"));
    if (!prediction.challengerModelId) throw new RetainwiseError("prediction.no_challenger", `Prediction ${prediction.id} was scored without a challenger. Upload with ?challenger=MODEL_ID to compare two models, or set the default with PUT /v1/account/default-model.`);
    const model = await usableModel(deps, account.id, prediction.challengerModelId);
    await deps.models.setDefaultModel(account.id, model.id);
    deps.logger.info("challenger promoted", { requestId: c.get("requestId"), jobId: prediction.id, modelId: model.id });
    return c.json(toModelJson(model, model.id));
  });

  app.get("/predictions/:id/performance.svg", async (c) => svgOf(c.req.param("id"), (await predictionPerformance(c.get("account").id, c.req.param("id"))).performance));

  app.get("/models/:id/performance", async (c) => {
    const { model, scored, performance } = await modelPerformance(c.get("account").id, c.req.param("id"));
    // Newest first: the files a team looks at when the model's numbers move.
    const drift = scored.filter((p) => p.drift).slice(-RECENT_DRIFTS).reverse().map((p) => ({ predictionId: p.id, inputFilename: p.inputFilename, predictedAt: p.createdAt.toISOString(), ...p.drift }));
    return c.json({ modelId: model.id, model: modelLabel(model), predictions: scored.length, ...performance, drift });
  });

  app.get("/models/:id/performance.svg", async (c) => svgOf(c.req.param("id"), (await modelPerformance(c.get("account").id, c.req.param("id"))).performance));

  return app;

  /** How the account's models name outcomes: their label columns and churned values, their id columns. */
  async function vocabularies(accountId: string): Promise<OutcomeVocabulary[]> {
    return (await readyModels(deps, accountId)).map((m) => outcomeVocabulary(modelLabel(m), m.card));
  }

  async function modelPerformance(accountId: string, rawId: string) {
    const { id } = parseOr400(IdParamSchema, { id: rawId }, "path parameter", "request.bad_id");
    const model = await deps.models.get(accountId, id);
    if (!model) throw new RetainwiseError("model.not_found", `No model ${id} in this account. List your models with GET /v1/models.`);
    const scored = (await outcomes.predictionDigests(accountId, { modelId: model.id, builtinModelId: BUILTIN_MODEL_ID })).filter((p) => p.status === "COMPLETED");
    const ids = scored.map((p) => p.id);
    await waitForScoreCopies(outcomes, accountId, ids);
    return { model, scored, performance: realizedPerformance(await outcomes.labeledScores(accountId, ids)) };
  }

  async function predictionPerformance(accountId: string, rawId: string): Promise<{ prediction: Prediction; performance: RealizedPerformance; rows: LabeledScore[] }> {
    const prediction = await completedPrediction(accountId, rawId, "its performance can be measured");
    await waitForScoreCopies(outcomes, accountId, [prediction.id]);
    const rows = await outcomes.labeledScores(accountId, [prediction.id]);
    return { prediction, performance: realizedPerformance(rows), rows };
  }

  /** The calibration and lift chart of a prediction's or a model's performance. */
  function svgOf(id: string, performance: RealizedPerformance): Response {
    if (performance.status !== "ready") throw new RetainwiseError("performance.not_enough_outcomes", `The chart of ${id} needs more outcomes: ${performance.message}.`);
    return new Response(renderPerformanceChart(performance), { headers: { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "private, no-cache" } });
  }

  /** The challenger's identity and its comparison with the champion on the customers both scored. */
  async function challengerJson(accountId: string, modelId: string, rows: readonly LabeledScore[]) {
    const model = await deps.models.get(accountId, modelId);
    return { modelId, model: model ? modelLabel(model) : null, ...compareChallenger(pairedRows(rows)) };
  }

  async function completedPrediction(accountId: string, rawId: string, what: string): Promise<Prediction> {
    const prediction = await ownedPrediction(accountId, rawId);
    if (prediction.status !== "COMPLETED") {
      throw new RetainwiseError("prediction.not_ready", `Prediction ${prediction.id} is ${prediction.status}; ${what} once it is COMPLETED.`);
    }
    return prediction;
  }

  async function ownedPrediction(accountId: string, rawId: string): Promise<Prediction> {
    const { id } = parseOr400(IdParamSchema, { id: rawId }, "path parameter", "request.bad_id");
    const prediction = await predictions.get(accountId, id);
    if (!prediction) throw new RetainwiseError("prediction.not_found", `No prediction ${id} in this account.`);
    return prediction;
  }
}
