import { Hono } from "hono";
import { RetainwiseError } from "@retainwise/core/errors";
import { buildTrends, waitForScoreCopies, type TrendPoint } from "@retainwise/core/outcomes";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { documented } from "../openapi/route-docs.ts";
import { TrendsQuerySchema } from "../schemas.ts";
import { renderTrendChart } from "../ui/trend-chart.ts";
import { TRENDS, TRENDS_CHART } from "./outcome-docs.ts";
import { parseOr400 } from "../validate.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DAYS = 30;
/** A year of days, or of weeks: enough for a trend, small enough to compute per request. */
const MAX_DAYS = 366;
/** Up to two months reads best per day; longer, per week. */
const DAILY_UP_TO_DAYS = 62;

/** `GET /v1/insights/trends` (JSON) and `/v1/insights/trends.svg` (the chart on the predictions page). */
export function insightRoutes(deps: Pick<ApiDeps, "outcomes">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get(
    "/trends",
    documented(TRENDS, async (c) => c.json(await trends(c.get("account").id, c.req.query()))),
  );

  app.get(
    "/trends.svg",
    documented(TRENDS_CHART, async (c) => {
      const { points } = await trends(c.get("account").id, c.req.query());
      c.header("Cache-Control", "private, max-age=60");
      return c.body(renderTrendChart(points), 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
    }),
  );

  return app;

  async function trends(
    accountId: string,
    query: Record<string, string>,
  ): Promise<{ from: string; to: string; bucket: string; points: TrendPoint[] }> {
    const parsed = parseOr400(TrendsQuerySchema, query, "query parameter");
    const to = parsed.to ?? new Date();
    const from = parsed.from ?? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
    const days = (to.getTime() - from.getTime()) / DAY_MS;
    if (days <= 0) throw new RetainwiseError("request.invalid_range", "'from' must be before 'to'.");
    if (days > MAX_DAYS)
      throw new RetainwiseError(
        "request.invalid_range",
        `The range is ${Math.ceil(days)} days; ask for at most ${MAX_DAYS} at a time.`,
      );
    const bucket = parsed.bucket ?? (days <= DAILY_UP_TO_DAYS ? "day" : "week");
    const predictions = await deps.outcomes.predictionDigests(accountId, { from, to });
    const completed = predictions.filter((p) => p.status === "COMPLETED").map((p) => p.id);
    await waitForScoreCopies(deps.outcomes, accountId, completed);
    const labeled = await deps.outcomes.labeledScores(accountId, completed);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      bucket,
      points: buildTrends(predictions, labeled, { from, to, bucket }),
    };
  }
}
