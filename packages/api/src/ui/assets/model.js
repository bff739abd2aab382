// @ts-check
import { deleteButton, downloadButton } from "./actions.js";
import { api } from "./api.js";
import { modelCharts } from "./chart.js";
import {
  announce,
  columnName,
  el,
  formatCount,
  formatDate,
  formatMetric,
  formatPercent,
  isActive,
  showFlash,
  stat,
  statusBadge,
  statusLabel,
  thresholdsText,
} from "./format.js";
import { canDelete, canDownload, canMakeDefault, makeDefaultButton, modelTarget } from "./model-actions.js";
import { heldOut, isBuiltIn, isDefault, modelName, trainingBar, trainingText } from "./model-format.js";
import { renderActionable } from "./model-settings.js";
import { showModelPerformance } from "./outcomes.js";
import { pollWhile } from "./poll.js";

/** How a column's role reads (card `columns[].role`, docs/MODEL-FORMAT.md). */
const ROLE_LABELS = {
  label: "Churn column",
  identifier: "Identifier",
  free_text: "Free text",
  constant: "Constant",
  leakage_suspect: "Suspected leak",
  date: "Date",
  categorical: "Categories",
  numeric: "Number",
  boolean: "Yes / no",
};

/** One model: live training progress, then its held-out quality, charts, inputs and left-out columns. */
export async function startModel() {
  const id = decodeURIComponent(location.pathname.split("/").pop() ?? "");
  const error = /** @type {HTMLElement} */ (document.getElementById("detail-error"));
  const showError = (/** @type {Error} */ e) => (error.textContent = e.message);
  if (new URLSearchParams(location.search).has("started"))
    showFlash("Upload received: training has started. This page follows it.", "started");
  let shown = "";
  const load = async () => {
    const m = await api(`/models/${encodeURIComponent(id)}`);
    const state = `${m.status}:${isDefault(m)}`;
    if (state !== shown) {
      await renderAll(m, { showError, reload: () => load() });
      if (shown && !shown.startsWith(`${m.status}:`)) announce(`${modelName(m)}: ${statusLabel(m.status)}`);
      // "Training has started" is news only while it trains.
      if (!isActive(m.status)) /** @type {HTMLElement} */ (document.getElementById("flash")).hidden = true;
    } else renderStatus(m);
    shown = state;
    return isActive(m.status);
  };
  try {
    if (await load()) pollWhile(load);
  } catch (e) {
    showError(/** @type {Error} */ (e));
  }
}

/** @param {any} m @param {{showError: (e: Error) => void, reload: () => Promise<unknown>}} options */
async function renderAll(m, { showError, reload }) {
  document.title = `${modelName(m)} · RetainWise`;
  /** @type {HTMLElement} */ (document.getElementById("model-title")).replaceChildren(modelName(m));
  /** @type {HTMLElement} */ (document.getElementById("model-subtitle")).textContent = subtitle(m);
  renderActions(m, { showError, reload });
  renderStatus(m);
  const ready = m.status === "READY";
  const card = ready ? (m.card ?? (await api(`/models/${encodeURIComponent(m.id)}/card`).catch(() => null))) : null;
  for (const section of ["model-stats", "model-charts-card"]) {
    /** @type {HTMLElement} */ (document.getElementById(section)).hidden = !ready;
  }
  renderColumns(card);
  if (!ready) {
    /** @type {HTMLElement} */ (document.getElementById("actionable-card")).hidden = true;
    return;
  }
  renderActionable(m, card, showError);
  renderStats(m, card);
  const charts = /** @type {HTMLElement} */ (document.getElementById("model-charts"));
  modelCharts(m.id).then((figures) => charts.replaceChildren(figures), showError);
  showModelPerformance(m.id).catch(showError);
}

/** "Built-in · Default · learns “Churn” = Yes from 5,626 customers" @param {any} m */
function subtitle(m) {
  const parts = [];
  if (isBuiltIn(m)) parts.push("Built-in");
  if (isDefault(m)) parts.push("Default for new uploads");
  const label = m.labelColumn;
  const positive = m.positiveValue;
  if (label) parts.push(`Learns “${label}”${positive ? ` = ${positive}` : ""}`);
  const rows = m.rows ?? m.card?.trainingData?.rows;
  if (rows != null) parts.push(`${formatCount(rows)} customers`);
  return parts.join(" · ");
}

/** @param {any} m @param {{showError: (e: Error) => void, reload: () => Promise<unknown>}} options */
function renderActions(m, { showError, reload }) {
  const actions = /** @type {HTMLElement} */ (document.getElementById("model-actions"));
  actions.replaceChildren();
  if (m.status === "READY")
    actions.append(
      el("a", { class: "button small", href: `/upload?model=${encodeURIComponent(m.id)}` }, "Score a file"),
    );
  if (canMakeDefault(m)) {
    const done = () => reload().then(() => announce(`${modelName(m)} is now the default model.`), showError);
    actions.append(makeDefaultButton(m, done, showError));
  }
  if (canDownload(m)) actions.append(downloadButton(modelTarget(m), showError, "model"));
  if (canDelete(m)) actions.append(deleteButton(modelTarget(m), () => location.assign("/models"), showError));
}

/** @param {any} m */
function renderStatus(m) {
  const panel = /** @type {HTMLElement} */ (document.getElementById("status-panel"));
  const when = m.completedAt ? `Finished ${formatDate(m.completedAt)}` : `Started ${formatDate(m.createdAt)}`;
  const parts = [el("div", { class: "status-line" }, statusBadge(m.status), el("span", { class: "muted" }, when))];
  if (isActive(m.status))
    parts.push(el("p", { class: "progress-text", id: "training-phase" }, trainingText(m)), trainingBar(m));
  if (m.status === "FAILED" && m.error) parts.push(el("p", { class: "row-error" }, m.error.message));
  if (m.status === "CANCELED") parts.push(el("p", { class: "muted" }, "Training was canceled."));
  panel.replaceChildren(...parts);
}

/** @param {any} m @param {any} card */
function renderStats(m, card) {
  const metrics = heldOut(m) ?? card?.metrics?.heldOut;
  const balance = m.metrics?.classBalance;
  const rate =
    balance && balance.positive + balance.negative > 0
      ? balance.positive / (balance.positive + balance.negative)
      : card?.trainingData?.positiveRate;
  /** @type {HTMLElement} */ (document.getElementById("model-stats")).replaceChildren(
    stat("Held-out AUC", formatMetric(metrics?.auc), "1.0 ranks every churner first; 0.5 is a coin toss"),
    stat("Brier score", formatMetric(metrics?.brier), "Mean squared error of the probabilities; lower is better"),
    stat("Held-out customers", formatCount(metrics?.rows), "Kept out of training to measure the model"),
    stat("Churn rate in training", formatPercent(rate), "Share of customers who churned"),
    ...(m.thresholds
      ? [
          stat(
            "Risk levels",
            `High ≥ ${formatPercent(m.thresholds.high, 0)}`,
            `${thresholdsText(m.thresholds)}: the churn probability a scored row's risk_level is cut at`,
          ),
        ]
      : []),
  );
}

/**
 * Inputs and left-out columns from the card. A `term-tables/1` card lists every column of the
 * training file with its role and reason; an older card lists only its inputs.
 * @param {any} card
 */
function renderColumns(card) {
  const inputsCard = /** @type {HTMLElement} */ (document.getElementById("inputs-card"));
  const excludedCard = /** @type {HTMLElement} */ (document.getElementById("excluded-card"));
  const inputs = /** @type {any[]} */ (card?.inputs ?? []);
  const columns = /** @type {any[] | undefined} */ (card?.columns);
  const used = new Set(inputs.map((i) => i.name));
  const reasons = new Map((columns ?? []).map((c) => [c.name, c]));
  fillTable(
    "inputs",
    inputs.map((input) => [input.name, inputKind(input), reasons.get(input.name)?.reason ?? ""]),
  );
  // An older card gives no reasons: no column of dashes.
  document.getElementById("inputs")?.classList.toggle("no-reasons", !columns);
  const excluded = (columns ?? []).filter((c) => !used.has(c.name) && c.role !== "label");
  fillTable(
    "excluded",
    excluded.map((c) => [c.name, ROLE_LABELS[/** @type {keyof ROLE_LABELS} */ (c.role)] ?? c.role, c.reason]),
  );
  inputsCard.hidden = inputs.length === 0;
  excludedCard.hidden = !columns;
  if (columns && excluded.length === 0) fillTable("excluded", [], "Every column of the training file is used.");
}

/** "Number · 6 ranges", "Categories · 4 values" @param {any} input */
function inputKind(input) {
  const role = input.role ?? (input.type === "string" ? "categorical" : "numeric");
  const base = ROLE_LABELS[/** @type {keyof ROLE_LABELS} */ (role)] ?? role;
  if (Array.isArray(input.cuts)) return `${base} · ${input.cuts.length + 1} ranges`;
  const levels = input.categories?.length;
  if (levels != null && role !== "boolean") return `${base} · ${levels} ${levels === 1 ? "value" : "values"}`;
  return base;
}

/** @param {string} id @param {string[][]} rows @param {string} [empty] */
function fillTable(id, rows, empty) {
  const tbody = /** @type {HTMLElement} */ (document.querySelector(`#${id} tbody`));
  const labels = ["Column", "Kind", "Why"];
  const cells = (/** @type {string[]} */ row) =>
    row.map((text, i) =>
      el(
        "td",
        { "data-label": labels[i], class: i === 0 ? "mono" : undefined },
        i === 0 && text ? columnName(text) : text || "—",
      ),
    );
  tbody.replaceChildren(...rows.map((row) => el("tr", { "data-column": row[0] }, ...cells(row))));
  if (empty && rows.length === 0) tbody.append(el("tr", { class: "placeholder" }, el("td", { colspan: "3" }, empty)));
}
