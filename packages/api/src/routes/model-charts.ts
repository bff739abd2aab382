import { Hono } from "hono";
import { modelNotReady } from "@retainwise/core/models";
import type { ApiDeps, ApiEnv } from "../env.ts";
import * as v from "valibot";
import { documented } from "../openapi/route-docs.ts";
import { ModelChartQuerySchema } from "../schemas.ts";
import { renderModelChart } from "../ui/model-charts.ts";
import { MODEL_CHART } from "./model-docs.ts";
import { ownedModelParam } from "./owned.ts";

/**
 * `GET /v1/models/:id/chart.svg?chart=calibration|importance`: a READY model's pictures for its
 * page in the web UI, as the risk chart is for a prediction.
 */
export function modelChartRoutes(deps: Pick<ApiDeps, "models">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get(
    "/:id/chart.svg",
    documented(MODEL_CHART, async (c) => {
      const model = await ownedModelParam(deps, c.get("account").id, c.req.param("id"));
      if (model.status !== "READY") throw modelNotReady(model, "its charts exist once it is READY");
      const kind = v.parse(ModelChartQuerySchema, c.req.query()).chart;
      c.header("Cache-Control", "private, max-age=300");
      return c.body(renderModelChart(kind, { card: model.card, metrics: model.metrics }), 200, {
        "Content-Type": "image/svg+xml; charset=utf-8",
      });
    }),
  );
  return app;
}
