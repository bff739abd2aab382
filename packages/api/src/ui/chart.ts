import { RISK_LEVELS, type ScoreSummary } from "@retainwise/core/scoring/results";
import { count, el, svg, text } from "./svg.ts";

/**
 * The risk picture rendered on the server as SVG, from a prediction's metrics: a 10-bin histogram
 * of churn probabilities, and the High/Medium/Low counts. Hand-written (two bar charts do not
 * justify a charting library); the page fetches them with the API key and places them inline.
 */
export type ChartKind = "histogram" | "risk";

const BIN_COLORS = [
  "#1a9850",
  "#4eb265",
  "#86cb66",
  "#bfe37f",
  "#e8f0a0",
  "#fee491",
  "#fdbf6f",
  "#f88d52",
  "#e4553a",
  "#c2242b",
];
const RISK_COLORS: Record<string, string> = { High: "#c2242b", Medium: "#f39c34", Low: "#1a9850" };

export function renderChart(kind: ChartKind, metrics: Pick<ScoreSummary, "histogram" | "riskCounts">): string {
  return kind === "histogram" ? histogram(metrics.histogram) : riskBars(metrics.riskCounts);
}

function histogram(bins: number[]): string {
  const [width, height, left, bottom, top] = [420, 240, 48, 40, 12];
  const plotH = height - bottom - top;
  const plotW = width - left - 8;
  const maxY = niceMax(Math.max(1, ...bins));
  const total = bins.reduce((a, b) => a + b, 0);
  const parts: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH * (1 - tick);
    parts.push(
      el("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "grid" }),
      text(left - 8, y + 4, count(Math.round(maxY * tick)), "end"),
    );
  }
  const barW = plotW / bins.length;
  bins.forEach((n, i) => {
    const h = (n / maxY) * plotH;
    const attrs = {
      x: left + i * barW + 2,
      y: top + plotH - h,
      width: barW - 4,
      height: Math.max(h, 0),
      rx: 2,
      fill: BIN_COLORS[i] ?? "#888",
    };
    parts.push(el("rect", attrs, el("title", {}, `${i * 10}–${(i + 1) * 10}%: ${count(n)} customers`)));
  });
  for (let i = 0; i <= bins.length; i += 2)
    parts.push(text(left + i * barW, height - bottom + 18, `${i * 10}%`, "middle"));
  parts.push(text(left + plotW / 2, height - 4, "Churn probability", "middle", "axis-title"));
  return svg(
    width,
    height,
    "Churn probability histogram",
    `Customers per 10-point band of churn probability, ${count(total)} in all.`,
    parts,
  );
}

function riskBars(counts: Record<string, number>): string {
  const [width, rowH, labelW] = [340, 56, 78];
  const total = RISK_LEVELS.reduce((sum, level) => sum + (counts[level] ?? 0), 0);
  const max = Math.max(1, ...RISK_LEVELS.map((level) => counts[level] ?? 0));
  const parts = RISK_LEVELS.flatMap((level, i) => {
    const n = counts[level] ?? 0;
    const y = 8 + i * rowH;
    const w = Math.max(((width - labelW - 120) * n) / max, 2);
    const share = total ? ` (${((n / total) * 100).toFixed(1)}%)` : "";
    return [
      text(0, y + 24, level, "start", "risk-label"),
      el("rect", {
        x: labelW,
        y: y + 8,
        width: w,
        height: 24,
        rx: 3,
        fill: RISK_COLORS[level]!,
        "data-level": level,
        "data-count": n,
      }),
      text(labelW + w + 8, y + 25, `${count(n)}${share}`, "start", "risk-count"),
    ];
  });
  const summary = RISK_LEVELS.map((level) => `${level} ${counts[level] ?? 0}`).join(", ");
  return svg(width, rowH * 3 + 8, "Customers by risk level", summary, parts);
}

/** A round axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above `n`. */
function niceMax(n: number): number {
  const power = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 2.5, 5, 10].find((step) => step * power >= n) ?? 10) * power;
}
