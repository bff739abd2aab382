import { Hono } from "hono";
import { RetainwiseError } from "@retainwise/core/errors";
import { modelLabel } from "@retainwise/core/jobs";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { bearerAuth } from "../middleware/auth.ts";
import { IdParamSchema } from "../schemas.ts";
import { renderModelChart } from "../ui/model-charts.ts";
import { parseOr400 } from "../validate.ts";

/**
 * `GET /v1/models/:id/chart.svg?chart=calibration|importance`: a READY model's pictures for its
 * page in the web UI, as the risk chart is for a prediction. Mounted before `modelRoutes` on the
 * same prefix, so this path is authenticated once.
 */
export function modelChartRoutes(deps: Pick<ApiDeps, "accounts" | "models">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use("/:id/chart.svg", bearerAuth(deps.accounts));
  app.get("/:id/chart.svg", async (c) => {
    const { id } = parseOr400(IdParamSchema, { id: c.req.param("id") }, "path parameter", "request.bad_id");
    const model = await deps.models.get(c.get("account").id, id);
    if (!model) throw new RetainwiseError("model.not_found", `No model ${id} in this account. List your models with GET /v1/models.`);
    if (model.status !== "READY") throw new RetainwiseError("model.not_ready", `Model ${modelLabel(model)} is ${model.status}; its charts exist once it is READY.`);
    const kind = c.req.query("chart") === "importance" ? "importance" : "calibration";
    c.header("Cache-Control", "private, max-age=300");
    return c.body(renderModelChart(kind, { card: model.card, metrics: model.metrics }), 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
  });
  return app;
}
