import type { TrendPoint } from "@retainwise/core/outcomes";
import { count, el, round, svg, text } from "./svg.ts";

const COLORS = { mean: "#2563eb", high: "#c2242b", auc: "#1a9850", uploads: "#cbd2d9" };

/**
 * The account's trend as SVG: uploads as bars (right axis), mean churn probability, share High and
 * realized AUC as lines on a 0-100% axis; a bucket without a value leaves a gap in its line.
 */
export function renderTrendChart(points: readonly TrendPoint[]): string {
  const uploads = points.reduce((s, p) => s + p.uploads, 0);
  // Empty axes say nothing: an account with no upload in the period gets a sentence (the page hides it).
  if (uploads === 0)
    return svg(640, 40, "Trends", "No uploads in this period yet.", [
      text(0, 24, "No uploads in this period yet.", "start", "chart-empty"),
    ]).replace("<svg ", '<svg data-empty="true" ');
  const [width, height, left, right, top, bottom] = [640, 276, 44, 44, 12, 64];
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const step = plotW / Math.max(1, points.length);
  const x = (i: number) => left + step * (i + 0.5);
  const y = (share: number) => top + plotH * (1 - share);
  const maxUploads = Math.max(1, ...points.map((p) => p.uploads));
  const parts: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      el("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), class: "grid" }),
      text(left - 6, y(tick) + 4, `${tick * 100}%`, "end"),
    );
  }
  parts.push(
    text(width - right + 6, top + 4, count(maxUploads), "start"),
    text(width - right + 6, y(0) + 4, "0", "start"),
  );
  points.forEach((p, i) => {
    const h = (p.uploads / maxUploads) * plotH;
    parts.push(
      el(
        "rect",
        {
          x: x(i) - step * 0.35,
          y: y(0) - h,
          width: step * 0.7,
          height: h,
          fill: COLORS.uploads,
          "data-uploads": p.uploads,
        },
        el("title", {}, `${p.start.slice(0, 10)}: ${count(p.uploads)} uploads`),
      ),
    );
  });
  parts.push(
    line(
      points.map((p) => p.meanProbability),
      x,
      y,
      COLORS.mean,
      "mean",
    ),
  );
  parts.push(
    line(
      points.map((p) => p.highShare),
      x,
      y,
      COLORS.high,
      "high",
    ),
  );
  parts.push(
    line(
      points.map((p) => p.realizedAuc?.value ?? null),
      x,
      y,
      COLORS.auc,
      "auc",
    ),
  );
  const labelEvery = Math.ceil(points.length / 8);
  points.forEach((p, i) => {
    if (i % labelEvery === 0) parts.push(text(x(i), height - bottom + 16, p.start.slice(5, 10), "middle"));
  });
  const legend: [string, string][] = [
    ["Mean churn probability", COLORS.mean],
    ["Share High risk", COLORS.high],
    ["Realized AUC", COLORS.auc],
    ["Uploads (right axis)", COLORS.uploads],
  ];
  // Two rows of two: four labels in one row ran into each other (and off a phone-width chart).
  legend.forEach(([label, color], i) => {
    const [lx, ly] = [left + (i % 2) * (plotW / 2), height - 30 + Math.floor(i / 2) * 18];
    parts.push(
      el("rect", { x: lx, y: ly, width: 10, height: 10, fill: color }),
      text(lx + 14, ly + 9, label, "start", "legend"),
    );
  });
  return svg(
    width,
    height,
    "Trends",
    `${count(uploads)} uploads from ${points[0]?.start.slice(0, 10) ?? ""} over ${points.length} periods.`,
    parts,
  );
}

/** A polyline per run of known values (a lone value is a dot): null breaks the line. */
function line(
  values: readonly (number | null)[],
  x: (i: number) => number,
  y: (v: number) => number,
  color: string,
  series: string,
): string {
  const runs: [number, number][][] = [[]];
  values.forEach((value, i) => {
    if (value === null) runs.push([]);
    else runs[runs.length - 1]!.push([x(i), y(value)]);
  });
  return runs
    .filter((run) => run.length > 0)
    .map((run) =>
      run.length === 1
        ? el("circle", { cx: run[0]![0], cy: run[0]![1], r: 3, fill: color, "data-series": series })
        : el("polyline", {
            points: run.map(([px, py]) => `${round(px)},${round(py)}`).join(" "),
            fill: "none",
            stroke: color,
            "stroke-width": 2,
            "data-series": series,
          }),
    )
    .join("");
}
