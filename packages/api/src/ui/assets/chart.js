// @ts-check
// The risk picture: two SVG charts rendered by the server (`/v1/predictions/:id/chart.svg`, see
// packages/api/src/ui/chart.ts), fetched with the API key and placed inline so they take the page's
// styles. Parsed with DOMParser as SVG: nothing in them runs.
import { session } from "./api.js";

const CHARTS = [
  { kind: "histogram", caption: "Distribution of churn probabilities" },
  { kind: "risk", caption: "High, Medium and Low risk" },
];

/** @param {string} predictionId @returns {Promise<HTMLElement>} */
export async function riskChart(predictionId) {
  const wrap = document.createElement("div");
  wrap.className = "charts";
  const figures = await Promise.all(CHARTS.map(({ kind, caption }) => chartFigure(predictionId, kind, caption)));
  wrap.append(...figures);
  return wrap;
}

/** @param {string} id @param {string} kind @param {string} caption */
async function chartFigure(id, kind, caption) {
  const response = await fetch(`/v1/predictions/${id}/chart.svg?chart=${kind}`, { headers: { Authorization: `Bearer ${session.key()}` } });
  if (!response.ok) throw new Error(`The ${kind} chart could not be loaded (HTTP ${response.status}).`);
  const svg = new DOMParser().parseFromString(await response.text(), "image/svg+xml").documentElement;
  const figure = document.createElement("figure");
  const figcaption = document.createElement("figcaption");
  figcaption.textContent = caption;
  figure.append(figcaption, document.importNode(svg, true));
  return figure;
}
