import { RetainwiseError } from "@retainwise/core/errors";
import type { RealizedPerformance } from "@retainwise/core/outcomes";
import { renderPerformanceChart } from "../ui/performance-chart.ts";

/** The calibration and lift chart of a prediction's or a model's performance, or 409 while outcomes are too few. */
export function performanceSvg(id: string | undefined, performance: RealizedPerformance): Response {
  if (performance.status !== "ready")
    throw new RetainwiseError(
      "performance.not_enough_outcomes",
      `The chart of ${id} needs more outcomes: ${performance.message}.`,
    );
  return new Response(renderPerformanceChart(performance), {
    headers: { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "private, no-cache" },
  });
}
