// @ts-check
// Closing the loop in the browser: the outcome upload form, a prediction's Performance card and the
// trend chart. Charts are SVG rendered by the server (ui/performance-chart.ts, ui/trend-chart.ts),
// fetched with the key and placed inline, as the risk chart is.
import { api, session } from "./api.js";
import { el, formatCount } from "./format.js";
import { pollWhile } from "./poll.js";

/** The Outcomes page: current counts, and the upload form with its answer. */
export async function startOutcomes() {
  const counts = /** @type {HTMLElement} */ (document.getElementById("outcome-counts"));
  const showCounts = async () => {
    const c = await api("/outcomes");
    counts.textContent = `${formatCount(c.customers)} customers with an outcome, ${formatCount(c.churned)} of them churned.`;
  };
  const form = /** @type {HTMLFormElement} */ (document.getElementById("outcomes-form"));
  const error = /** @type {HTMLElement} */ (document.getElementById("outcomes-error"));
  const result = /** @type {HTMLElement} */ (document.getElementById("outcomes-result"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const file = /** @type {HTMLInputElement} */ (document.getElementById("outcomes-file")).files?.[0];
    if (!file) return void (error.textContent = "Choose a CSV file first.");
    const body = new FormData();
    body.append("file", file, file.name);
    try {
      const r = await api("/outcomes", { method: "POST", body });
      const problems = r.rowErrors.map((/** @type {{row: number, reason: string}} */ e) => el("li", {}, `Row ${e.row}: ${e.reason}`));
      result.replaceChildren(
        el("p", { id: "outcomes-summary" }, `Read ${formatCount(r.rowsRead)} rows: ${formatCount(r.rowsAccepted)} accepted, ${formatCount(r.rowsRejected)} rejected, ${formatCount(r.rowsMatched)} matched to earlier predictions.`),
        ...(problems.length ? [el("ul", { class: "row-errors" }, ...problems)] : []),
      );
      await showCounts();
    } catch (e) {
      error.textContent = /** @type {Error} */ (e).message;
    }
  });
  await showCounts().catch((e) => (error.textContent = e.message));
}

/** A prediction's Performance card: waits for COMPLETED (409 until then), then shows the numbers and the chart. */
export function startPerformance() {
  const id = decodeURIComponent(location.pathname.split("/").pop() ?? "");
  const card = /** @type {HTMLElement} */ (document.getElementById("performance-card"));
  const target = /** @type {HTMLElement} */ (document.getElementById("performance"));
  const load = async () => {
    try {
      render(await api(`/predictions/${encodeURIComponent(id)}/performance`));
      card.hidden = false;
      return false;
    } catch (e) {
      return /** @type {{status?: number}} */ (e).status === 409;
    }
  };
  const render = async (/** @type {any} */ p) => {
    if (p.status !== "ready") return target.replaceChildren(el("p", { id: "performance-status" }, `${capitalize(p.message)}: ${formatCount(p.labeledRows)} customers labeled (${formatCount(p.churned)} churned, ${formatCount(p.stayed)} stayed).`));
    const [low, high] = p.auc.interval;
    const stat = (/** @type {string} */ label, /** @type {string} */ value) => el("div", { class: "stat" }, el("span", { class: "stat-label" }, label), el("span", { class: "stat-value" }, value));
    target.replaceChildren(
      el("div", { class: "stats", id: "performance-stats" },
        stat("Labeled customers", formatCount(p.labeledRows)),
        stat("Realized AUC", `${p.auc.value.toFixed(3)} (95% ${low.toFixed(3)}–${high.toFixed(3)})`),
        stat("Brier score", p.brier.toFixed(4)),
        ...p.top.map((/** @type {any} */ t) => stat(`Churned in top ${Math.round(t.share * 100)}%`, `${(t.precision * 100).toFixed(1)}% (lift ${t.lift.toFixed(2)}×)`)),
      ),
      await svgFigure(`/v1/predictions/${encodeURIComponent(id)}/performance.svg`, "Calibration per decile, and churn among the customers flagged first"),
    );
  };
  load().then((again) => again && pollWhile(load));
}

/** The trend chart on the predictions page. */
export async function startTrends() {
  const card = /** @type {HTMLElement} */ (document.getElementById("trend-card"));
  const chart = /** @type {HTMLElement} */ (document.getElementById("trend-chart"));
  try {
    chart.replaceChildren(await svgFigure("/v1/insights/trends.svg", "Uploads, mean churn probability, share High risk and realized AUC per day"));
    card.hidden = false;
  } catch {
    // The list works without the chart; its absence says nothing went wrong with the predictions.
  }
}

/** @param {string} url @param {string} caption */
async function svgFigure(url, caption) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${session.key()}` } });
  if (!response.ok) throw new Error(`The chart could not be loaded (HTTP ${response.status}).`);
  const svg = new DOMParser().parseFromString(await response.text(), "image/svg+xml").documentElement;
  return el("figure", { class: "chart-figure" }, el("figcaption", {}, caption), document.importNode(svg, true));
}

/** @param {string} text */
function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
