// @ts-check
import { deleteButton, downloadButton, downloadFrom, predictionTarget } from "./actions.js";
import { api, apiText } from "./api.js";
import { parseCsv } from "./csv.js";
import { failurePanel } from "./failure.js";
import { riskChart } from "./chart.js";
import {
  announce,
  el,
  fileName,
  formatCount,
  formatDate,
  formatPercent,
  isActive,
  progressText,
  stat,
  statusBadge,
  statusLabel,
  thresholdsText,
} from "./format.js";
import { modelName } from "./model-format.js";
import { pollWhile } from "./poll.js";

/** One prediction: live status while it runs, then its summary, risk chart and top risks. */
export async function startPrediction() {
  const id = decodeURIComponent(location.pathname.split("/").pop() ?? "");
  const error = /** @type {HTMLElement} */ (document.getElementById("detail-error"));
  const showError = (/** @type {Error} */ e) => (error.textContent = e.message);
  let shownStatus = "";
  const load = async () => {
    const p = await api(`/predictions/${encodeURIComponent(id)}`);
    if (p.status !== shownStatus) {
      renderAll(p, { showError, reload: () => load() });
      if (shownStatus) announce(`Status: ${statusLabel(p.status)}`);
    } else renderStatus(p);
    shownStatus = p.status;
    return isActive(p.status);
  };
  try {
    if (await load()) pollWhile(load);
  } catch (e) {
    showError(/** @type {Error} */ (e));
  }
}

/** @param {any} p @param {{showError: (e: Error) => void, reload: () => void}} options */
function renderAll(p, { showError, reload }) {
  document.title = `${fileName(p)} · RetainWise`;
  /** @type {HTMLElement} */ (document.getElementById("prediction-title")).textContent = fileName(p);
  const actions = /** @type {HTMLElement} */ (document.getElementById("prediction-actions"));
  actions.replaceChildren();
  if (p.status === "COMPLETED") actions.append(downloadButton(predictionTarget(p), showError));
  if (p.status !== "CANCELED")
    actions.append(
      deleteButton(
        predictionTarget(p),
        (after) => (after?.status ? reload() : location.assign("/predictions")),
        showError,
      ),
    );
  renderStatus(p);
  renderRowErrors(p, showError);
  const metrics = p.status === "COMPLETED" ? p.metrics : null;
  for (const section of ["summary", "chart-card", "top-risks-card"]) {
    /** @type {HTMLElement} */ (document.getElementById(section)).hidden = !metrics;
  }
  if (!metrics) return;
  renderSummary(metrics);
  renderRiskLegend(p);
  const chart = /** @type {HTMLElement} */ (document.getElementById("chart"));
  riskChart(p.id).then((figures) => chart.replaceChildren(figures), showError);
  renderTopRisks(metrics.topRisks ?? []);
}

/** @param {any} p */
function renderStatus(p) {
  const panel = /** @type {HTMLElement} */ (document.getElementById("status-panel"));
  const line = el(
    "div",
    { class: "status-line" },
    statusBadge(p.status),
    el("span", { class: "muted" }, `Uploaded ${formatDate(p.createdAt)}`),
  );
  const parts = [line, modelLine(p)].filter((part) => part !== null);
  if (isActive(p.status)) {
    const bar = el("progress", { max: "100", "aria-label": "Scoring progress" });
    if (p.progress?.percent != null) /** @type {HTMLProgressElement} */ (bar).value = p.progress.percent;
    parts.push(el("p", { class: "progress-text" }, progressText(p)), bar);
  }
  if (p.status === "FAILED") parts.push(failurePanel(p));
  if (p.status === "CANCELED") parts.push(el("p", { class: "muted" }, "This prediction was canceled."));
  panel.replaceChildren(...parts);
}

/** Model id -> its JSON, or null when it is gone (deleted): looked up once per page. @type {Map<string, Promise<any>>} */
const models = new Map();

/**
 * "Scored with bank-v2", linked to the model's page while the model exists. The name comes from
 * the prediction once scoring started (`modelVersion`), from the model before.
 * @param {any} p
 */
function modelLine(p) {
  const line = el("p", { id: "prediction-model", class: "model-line" }, "Scored with ", p.modelVersion ?? "…");
  if (!p.modelId) return p.modelVersion ? line : null;
  modelOf(p)?.then((m) => {
    if (m)
      line.replaceChildren(
        "Scored with ",
        el("a", { href: `/models/${encodeURIComponent(m.id)}` }, p.modelVersion ?? modelName(m)),
      );
  });
  return line;
}

/**
 * Where the risk levels are cut: the thresholds of the model that scored the file (its card's).
 * @param {any} p
 */
function renderRiskLegend(p) {
  const legend = /** @type {HTMLElement} */ (document.getElementById("risk-legend"));
  modelOf(p)?.then((m) => {
    if (m?.thresholds)
      legend.textContent = `Risk levels: ${thresholdsText(m.thresholds)} (the churn probability, as ${modelName(m)} cuts it).`;
  });
}

/** The prediction's model, fetched once per page; null when it is gone (deleted). @param {any} p */
function modelOf(p) {
  if (!p.modelId) return undefined;
  if (!models.has(p.modelId))
    models.set(
      p.modelId,
      api(`/models/${encodeURIComponent(p.modelId)}`).catch(() => null),
    );
  return models.get(p.modelId);
}

/** @param {any} m */
function renderSummary(m) {
  /** @type {HTMLElement} */ (document.getElementById("summary")).replaceChildren(
    stat("Rows scored", formatCount(m.rowsScored)),
    stat("Rows failed", formatCount(m.rowsFailed)),
    stat("Mean churn probability", formatPercent(m.meanProbability)),
    stat("Model", m.modelVersion ?? "—"),
    ...(m.customerIds === "row_number" ? [stat("Customer ids", "Row numbers: the file has no id column")] : []),
  );
}

/** Rows shown on the page; the download has them all. */
const ROW_ERRORS_SHOWN = 20;

/**
 * The first rows of the error report, and a button to download it whole: a COMPLETED job with bad
 * rows, or one FAILED on too many of them, is fixed from here.
 * @param {any} p @param {(e: Error) => void} showError
 */
async function renderRowErrors(p, showError) {
  const card = /** @type {HTMLElement} */ (document.getElementById("row-errors-card"));
  const failedRows = p.status === "FAILED" || (p.status === "COMPLETED" && p.progress?.rowsFailed > 0);
  card.hidden = true;
  if (!failedRows) return;
  let text;
  try {
    text = await apiText(`/predictions/${encodeURIComponent(p.id)}/errors?limit=${ROW_ERRORS_SHOWN}`);
  } catch (e) {
    if (/** @type {any} */ (e).status !== 404) showError(/** @type {Error} */ (e));
    return;
  }
  const rows = parseCsv(text).slice(1);
  if (!rows.length) return;
  const total = p.status === "COMPLETED" ? p.progress.rowsFailed : null;
  const shown = total && total > rows.length ? `The first ${rows.length} of ${formatCount(total)}.` : "";
  /** @type {HTMLElement} */ (document.getElementById("row-errors-note")).replaceChildren(
    el("span", {}, shown),
    errorReportButton(p, showError),
  );
  /** @type {HTMLElement} */ (document.querySelector("#row-errors tbody")).replaceChildren(
    ...rows.map(([row, customer, problem]) =>
      el(
        "tr",
        {},
        el("td", { "data-label": "Row" }, row ?? ""),
        el("td", { "data-label": "Customer", class: "mono" }, customer ?? ""),
        el("td", { "data-label": "Problem" }, problem ?? ""),
      ),
    ),
  );
  card.hidden = false;
}

/** @param {any} p @param {(e: Error) => void} showError */
function errorReportButton(p, showError) {
  const button = el("button", { type: "button", class: "button small" }, "Download error report");
  button.addEventListener("click", async () => {
    try {
      await downloadFrom(`/predictions/${encodeURIComponent(p.id)}/errors`);
    } catch (e) {
      showError(/** @type {Error} */ (e));
    }
  });
  return button;
}

/** @param {any[]} risks */
function renderTopRisks(risks) {
  const tbody = /** @type {HTMLElement} */ (document.querySelector("#top-risks tbody"));
  const rows = risks.map((r) =>
    el(
      "tr",
      {},
      el("td", { "data-label": "Customer", class: "mono" }, r.customerId),
      el("td", { "data-label": "Churn probability" }, formatPercent(r.probability)),
      el(
        "td",
        { "data-label": "Risk" },
        el("span", { class: `badge risk-${String(r.riskLevel).toLowerCase()}` }, r.riskLevel),
      ),
      el("td", { "data-label": "Why" }, reasons(r)),
    ),
  );
  tbody.replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "4" }, "No customers were scored."))]),
  );
}

/** @param {any} r */
function reasons(r) {
  const list = el("ul", { class: "reasons" });
  for (const factor of r.riskFactors ?? [])
    list.append(el("li", { class: "factor up" }, el("span", { class: "visually-hidden" }, "Raises risk: "), factor));
  for (const factor of r.protectiveFactors ?? [])
    list.append(el("li", { class: "factor down" }, el("span", { class: "visually-hidden" }, "Lowers risk: "), factor));
  if (!list.childElementCount) list.append(el("li", { class: "muted" }, "No reasons given by this model"));
  return list;
}
