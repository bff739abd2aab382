import { Hono } from "hono";
import { BUILTIN_MODEL_ID, modelLabel } from "@retainwise/core/models";
import { realizedPerformance, waitForScoreCopies } from "@retainwise/core/outcomes";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { documented } from "../openapi/route-docs.ts";
import { MODEL_PERFORMANCE, MODEL_PERFORMANCE_CHART } from "./model-docs.ts";
import { ownedModelParam } from "./owned.ts";
import { performanceSvg } from "./performance-chart.ts";

/** Drift reports a model's performance lists: its latest files. */
const RECENT_DRIFTS = 10;

/** `GET /v1/models/:id/performance` and `performance.svg`: how a model's probabilities matched what happened, over every file it scored. */
export function modelOutcomeRoutes(deps: Pick<ApiDeps, "models" | "outcomes">): Hono<ApiEnv> {
  const { outcomes } = deps;
  const app = new Hono<ApiEnv>();

  app.get(
    "/:id/performance",
    documented(MODEL_PERFORMANCE, async (c) => {
      const { model, scored, performance } = await modelPerformance(c.get("account").id, c.req.param("id"));
      // Newest first: the files a team looks at when the model's numbers move.
      const drift = scored
        .filter((p) => p.drift)
        .slice(-RECENT_DRIFTS)
        .reverse()
        .map((p) => ({
          predictionId: p.id,
          inputFilename: p.inputFilename,
          predictedAt: p.createdAt.toISOString(),
          ...p.drift,
        }));
      return c.json({ modelId: model.id, model: modelLabel(model), predictions: scored.length, ...performance, drift });
    }),
  );

  app.get(
    "/:id/performance.svg",
    documented(MODEL_PERFORMANCE_CHART, async (c) =>
      performanceSvg(c.req.param("id"), (await modelPerformance(c.get("account").id, c.req.param("id"))).performance),
    ),
  );

  return app;

  async function modelPerformance(accountId: string, rawId: string | undefined) {
    const model = await ownedModelParam(deps, accountId, rawId);
    const scored = (
      await outcomes.predictionDigests(accountId, { modelId: model.id, builtinModelId: BUILTIN_MODEL_ID })
    ).filter((p) => p.status === "COMPLETED");
    const ids = scored.map((p) => p.id);
    await waitForScoreCopies(outcomes, accountId, ids);
    return { model, scored, performance: realizedPerformance(await outcomes.labeledScores(accountId, ids)) };
  }
}
