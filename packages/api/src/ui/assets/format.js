// @ts-check
// Formatting and tiny DOM helpers shared by the pages.

export { formatBytes } from "./bytes.js";

/** @param {number | null | undefined} n */
export const formatCount = (n) => (n == null ? "—" : n.toLocaleString("en-US"));

/** @param {number | null | undefined} p probability in [0, 1] */
export const formatPercent = (p, digits = 1) => (p == null ? "—" : `${(p * 100).toFixed(digits)}%`);

/**
 * The one rounding rule for model quality figures (AUC, Brier score, PSI, their intervals and
 * differences): three decimals, on every page, so the model page and the Performance tab agree.
 * Shares of customers and probabilities are percentages (formatPercent).
 * @param {number | null | undefined} x
 */
export const formatMetric = (x) => (x == null ? "—" : x.toFixed(3));

/**
 * A metric card: label, value, and an optional line under it (what the figure means, or its
 * interval), so a long figure never wraps the value itself.
 * @param {string} label @param {string} value @param {string} [hint]
 */
export const stat = (label, value, hint) =>
  el(
    "div",
    { class: "stat" },
    el("span", { class: "stat-label" }, label),
    el("span", { class: "stat-value" }, value),
    hint ? el("span", { class: "stat-hint" }, hint) : null,
  );

/** "High ≥ 50%, Medium ≥ 27%": a model's risk thresholds (its card's), as every page states them. @param {{high: number, medium: number} | null | undefined} t */
export const thresholdsText = (t) =>
  t ? `High from ${formatPercent(t.high, 0)}, Medium from ${formatPercent(t.medium, 0)}, Low below` : "";

/** @param {string | null | undefined} iso */
export function formatDate(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}

/** Predictions and models share QUEUED, FAILED and CANCELED; RUNNING/COMPLETED are a prediction's, TRAINING/READY a model's. */
const STATUS_LABELS = {
  QUEUED: "Queued",
  RUNNING: "Running",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELED: "Canceled",
  TRAINING: "Training",
  READY: "Ready",
};

/** @param {string} status */
export const isActive = (status) => status === "QUEUED" || status === "RUNNING" || status === "TRAINING";

/** @param {string} status */
export const statusLabel = (status) => STATUS_LABELS[/** @type {keyof STATUS_LABELS} */ (status)] ?? status;

/** @param {string} status */
export const statusBadge = (status) =>
  el("span", { class: `badge status-${status.toLowerCase()}` }, statusLabel(status));

/** "1,234 of 5,626 rows · 22%" (or just rows while the total is unknown). @param {any} p */
export function progressText(p) {
  const progress = p.progress ?? {};
  if (p.status === "QUEUED") return "Waiting for a worker";
  const rows = `${formatCount(progress.rowsProcessed ?? 0)}${progress.rowsTotal ? ` of ${formatCount(progress.rowsTotal)}` : ""} rows`;
  return progress.percent == null ? rows : `${rows} · ${Math.floor(progress.percent)}%`;
}

/**
 * Creates an element; children are text or nodes, never HTML strings (no injection from file names).
 * @param {string} tag @param {Record<string, string | boolean | undefined>} [attrs] @param {...(Node | string | null | undefined)} children
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) node.setAttribute(name, "");
    else if (typeof value === "string") node.setAttribute(name, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

/**
 * Tells screen readers about a change (a job finishing) without reading out every progress tick.
 * @param {string} text
 */
export function announce(text) {
  const region = document.getElementById("announce");
  if (region) region.textContent = text;
}

/** @param {any} p */
export const fileName = (p) => p.inputFilename ?? p.filename ?? "Untitled upload";

/** Shown once: the parameter leaves the URL, so a reload does not repeat it. @param {string} text @param {string} param */
export function showFlash(text, param) {
  const flash = /** @type {HTMLElement} */ (document.getElementById("flash"));
  flash.textContent = text;
  flash.hidden = false;
  const rest = new URLSearchParams(location.search);
  rest.delete(param);
  history.replaceState(null, "", location.pathname + (rest.size ? `?${rest}` : ""));
}

/**
 * A column name with soft breaks where its words meet (`Senior·Citizen`, `Num_·Of·Products`), so a
 * narrow table wraps it between words, never mid-word (`SeniorCiti / zen`).
 * @param {string} name
 */
export function columnName(name) {
  const span = el("span", { class: "column-name" });
  name.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[_\-. ])/).forEach((part, i) => {
    span.append(...(i ? [el("wbr"), part] : [part]));
  });
  return span;
}
