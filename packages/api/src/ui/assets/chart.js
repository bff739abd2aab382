// @ts-check
// Charts rendered by the server as SVG (packages/api/src/ui/chart.ts and model-charts.ts), fetched
// with the API key and placed inline so they take the page's styles. Parsed with DOMParser as SVG:
// nothing in them runs.
import { session } from "./api.js";

/** @typedef {{kind: string, caption: string}} ChartSpec */

/** @type {ChartSpec[]} */
const RISK_CHARTS = [
  { kind: "histogram", caption: "Distribution of churn probabilities" },
  { kind: "risk", caption: "High, Medium and Low risk" },
];

/** @type {ChartSpec[]} */
const MODEL_CHARTS = [
  { kind: "calibration", caption: "Predicted against actual churn, on customers held out of training" },
  { kind: "importance", caption: "What drives churn: how far each term moves the odds" },
];

/** @param {string} predictionId @returns {Promise<HTMLElement>} */
export const riskChart = (predictionId) =>
  chartFigures(`/v1/predictions/${encodeURIComponent(predictionId)}/chart.svg`, RISK_CHARTS);

/** @param {string} modelId @returns {Promise<HTMLElement>} */
export const modelCharts = (modelId) =>
  chartFigures(`/v1/models/${encodeURIComponent(modelId)}/chart.svg`, MODEL_CHARTS);

/** @param {string} url @param {ChartSpec[]} charts @returns {Promise<HTMLElement>} */
async function chartFigures(url, charts) {
  const wrap = document.createElement("div");
  wrap.className = "charts";
  const figures = await Promise.all(
    charts.map(({ kind, caption }) => chartFigure(`${url}?chart=${kind}`, kind, caption)),
  );
  wrap.append(...figures);
  return wrap;
}

/** @param {string} url @param {string} kind @param {string} caption */
async function chartFigure(url, kind, caption) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${session.key()}` } });
  if (!response.ok) throw new Error(`The ${kind} chart could not be loaded (HTTP ${response.status}).`);
  const svg = new DOMParser().parseFromString(await response.text(), "image/svg+xml").documentElement;
  const figure = document.createElement("figure");
  figure.dataset.chart = kind;
  const figcaption = document.createElement("figcaption");
  figcaption.textContent = caption;
  // A chart with nothing to draw says so in text: an SVG sentence shrinks to unreadable on a phone.
  const body = svg.hasAttribute("data-empty")
    ? Object.assign(document.createElement("p"), {
        className: "muted chart-note",
        textContent: svg.querySelector("desc")?.textContent ?? "",
      })
    : document.importNode(svg, true);
  figure.append(figcaption, body);
  return figure;
}
