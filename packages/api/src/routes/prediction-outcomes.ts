import { Hono, type Context } from "hono";
import { trainFromPrediction } from "@retainwise/core/models";
import { promoteChallenger } from "@retainwise/core/predictions";
import { modelLabel } from "@retainwise/core/models";
import type { Prediction } from "@retainwise/core/predictions";
import {
  compareChallenger,
  pairedRows,
  PSI_FLAG,
  realizedPerformance,
  type LabeledScore,
  type RealizedPerformance,
  waitForScoreCopies,
} from "@retainwise/core/outcomes";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { documented } from "../openapi/route-docs.ts";
import { toModelJson, TrainFromPredictionQuerySchema } from "../schemas.ts";
import {
  PREDICTION_DRIFT,
  PREDICTION_PERFORMANCE,
  PREDICTION_PERFORMANCE_CHART,
  PROMOTE_CHALLENGER,
  TRAIN_FROM_PREDICTION,
} from "./prediction-docs.ts";
import { parseOr400 } from "../validate.ts";
import { completedPrediction, ownedPrediction } from "./owned.ts";
import { performanceSvg } from "./performance-chart.ts";
import type { RouteGuards } from "./v1.ts";

const NOT_MEASURED = (model: string | null) =>
  `Drift was not measured for this prediction: the model${model ? ` ${model}` : ""} has no training distribution in its card (models trained before drift was recorded). Retrain it (POST /v1/models) to measure drift on the files it scores.`;

/**
 * Closing the loop on a prediction, under `/v1/predictions/:id`: how its probabilities matched what
 * happened (`performance`, `performance.svg`), how its file drifted from the model's training data
 * (`drift`), promoting its challenger, and training a model on its outcomes (`train`).
 */
export function predictionOutcomeRoutes(deps: ApiDeps, guards: RouteGuards): Hono<ApiEnv> {
  const { outcomes } = deps;
  const app = new Hono<ApiEnv>();

  app.get(
    "/:id/performance",
    documented(PREDICTION_PERFORMANCE, async (c) => {
      const account = c.get("account");
      const { prediction, performance, rows } = await predictionPerformance(account.id, c.req.param("id"));
      const challenger = prediction.challengerModelId
        ? await challengerJson(account.id, prediction.challengerModelId, rows)
        : null;
      return c.json({
        predictionId: prediction.id,
        modelVersion: prediction.modelVersion,
        predictedAt: prediction.createdAt.toISOString(),
        ...performance,
        challenger,
      });
    }),
  );

  app.get(
    "/:id/performance.svg",
    documented(PREDICTION_PERFORMANCE_CHART, async (c) =>
      performanceSvg(
        c.req.param("id"),
        (await predictionPerformance(c.get("account").id, c.req.param("id"))).performance,
      ),
    ),
  );

  app.get(
    "/:id/drift",
    documented(PREDICTION_DRIFT, async (c) => {
      const prediction = await completedPrediction(
        deps,
        c.get("account").id,
        c.req.param("id"),
        "its drift is measured",
      );
      const { drift } = prediction;
      if (!drift) {
        return c.json({
          predictionId: prediction.id,
          modelVersion: prediction.modelVersion,
          status: "not_measured",
          threshold: PSI_FLAG,
          message: NOT_MEASURED(prediction.modelVersion),
        });
      }
      return c.json({
        predictionId: prediction.id,
        modelVersion: prediction.modelVersion,
        status: "measured",
        threshold: PSI_FLAG,
        ...drift,
      });
    }),
  );

  app.post(
    "/:id/promote-challenger",
    documented(PROMOTE_CHALLENGER, async (c) => {
      const prediction = await ownedPrediction(deps, c.get("account").id, c.req.param("id"));
      const model = await promoteChallenger(deps.models, prediction);
      deps.logger.info("challenger promoted", {
        requestId: c.get("requestId"),
        jobId: prediction.id,
        modelId: model.id,
      });
      return c.json(toModelJson(model, model.id));
    }),
  );

  app.post(
    "/:id/train",
    guards.idempotent,
    documented(TRAIN_FROM_PREDICTION, (c) => answerTrainingFromPrediction(c, deps, c.req.param("id"))),
  );

  return app;

  async function predictionPerformance(
    accountId: string,
    rawId: string | undefined,
  ): Promise<{ prediction: Prediction; performance: RealizedPerformance; rows: LabeledScore[] }> {
    const prediction = await completedPrediction(deps, accountId, rawId, "its performance can be measured");
    await waitForScoreCopies(outcomes, accountId, [prediction.id]);
    const rows = await outcomes.labeledScores(accountId, [prediction.id]);
    return { prediction, performance: realizedPerformance(rows), rows };
  }

  /** The challenger's identity and its comparison with the champion on the customers both scored. */
  async function challengerJson(accountId: string, modelId: string, rows: readonly LabeledScore[]) {
    const model = await deps.models.get(accountId, modelId);
    return { modelId, model: model ? modelLabel(model) : null, ...compareChallenger(pairedRows(rows)) };
  }
}

/**
 * `POST /v1/predictions/:id/train?name=NAME` (and its alias `POST /v1/models?fromPrediction=ID&name=NAME`):
 * train a model on what happened to a COMPLETED prediction's customers. Answers as a labeled
 * upload does: 202, the QUEUED model, its Location.
 */
export async function answerTrainingFromPrediction(
  c: Context<ApiEnv>,
  deps: ApiDeps,
  rawPredictionId: string | undefined,
): Promise<Response> {
  const account = c.get("account");
  const params = parseOr400(TrainFromPredictionQuerySchema, c.req.query(), "parameter");
  const prediction = await completedPrediction(deps, account.id, rawPredictionId, "it can be trained on");
  const created = await trainFromPrediction(deps, prediction, params.name);
  c.header("Location", `/v1/models/${created.id}`);
  return c.json(toModelJson(created, await deps.models.defaultModelId(account.id)), 202);
}
