// @ts-check
// Closing the loop in the browser: the outcome upload form, a prediction's Performance card and the
// trend chart. Charts are SVG rendered by the server (ui/performance-chart.ts, ui/trend-chart.ts),
// fetched with the key and placed inline, as the risk chart is.
import { api, session } from "./api.js";
import { filePicker, sendWithProgress } from "./file-picker.js";
import { el, formatCount, formatDate, formatMetric, formatPercent, stat } from "./format.js";
import { pollWhile } from "./poll.js";

/** The Outcomes page: the column names it takes (the account's models' own included), current counts, and the upload with its answer. */
export async function startOutcomes() {
  const counts = /** @type {HTMLElement} */ (document.getElementById("outcome-counts"));
  const error = /** @type {HTMLElement} */ (document.getElementById("upload-error"));
  const result = /** @type {HTMLElement} */ (document.getElementById("outcomes-result"));
  const button = /** @type {HTMLButtonElement} */ (document.getElementById("upload-button"));
  const showCounts = async () => {
    const c = await api("/outcomes");
    counts.textContent = `${formatCount(c.customers)} customers with an outcome, ${formatCount(c.churned)} of them churned.`;
    renderAccepted(c.accepts);
  };
  /** @type {File | null} */
  let file = null;
  filePicker({
    onChoose: (chosen, problem) => {
      file = chosen;
      button.disabled = !file || Boolean(problem);
    },
  });
  /** @type {HTMLFormElement} */ (document.getElementById("outcomes-form")).addEventListener(
    "submit",
    async (event) => {
      event.preventDefault();
      if (!file) return;
      result.replaceChildren();
      const r = await sendWithProgress(file, button, { path: "/outcomes" });
      /** @type {HTMLElement} */ (document.getElementById("upload-progress")).hidden = true;
      if (!r) return;
      button.disabled = false;
      const problems = r.rowErrors.map((/** @type {{row: number, reason: string}} */ e) =>
        el("li", {}, `Row ${e.row}: ${e.reason}`),
      );
      result.replaceChildren(
        el(
          "p",
          { id: "outcomes-summary" },
          `Read ${formatCount(r.rowsRead)} rows: ${formatCount(r.rowsAccepted)} accepted, ${formatCount(r.rowsRejected)} rejected, ${formatCount(r.rowsMatched)} matched to earlier predictions.`,
        ),
        el("p", { id: "outcomes-matched", class: "muted" }, matchedText(r.matched)),
        ...(problems.length ? [el("ul", { class: "row-errors" }, ...problems)] : []),
      );
      await showCounts();
    },
  );
  await showCounts().catch((e) => (error.textContent = e.message));
}

/**
 * The names an outcome file may use, as the server matches them (GET /v1/outcomes `accepts`): the
 * page and the server's refusal say the same.
 * @param {{customerId: string[], churned: string[], observedAt: string[], labels: {column: string, churnedValue: string, model: string}[]}} accepts
 */
function renderAccepted(accepts) {
  const names = (/** @type {string[]} */ list) => list.flatMap((name, i) => [i ? ", " : "", el("code", {}, name)]);
  const labels = accepts.labels.flatMap((l) => [
    ", ",
    el("code", {}, l.column),
    ` ("${l.churnedValue}" = churned, as ${l.model} learned it)`,
  ]);
  /** @type {HTMLElement} */ (document.getElementById("outcome-columns")).replaceChildren(
    el("dt", {}, "Customer id"),
    el("dd", {}, ...names(accepts.customerId)),
    el("dt", {}, "Churned"),
    el("dd", {}, ...names(accepts.churned), " (yes/no, 1/0 or true/false)", ...labels),
    el("dt", {}, "Observed at", el("span", { class: "optional" }, " optional")),
    el("dd", {}, ...names(accepts.observedAt), " (2026-11-30 or 2026-11-30T14:00:00Z)"),
  );
}

/** "Read CustomerId as the customer id and Exited as bank-v1 learned it ("1" = churned, "0" = stayed)." @param {any} m */
function matchedText(m) {
  const churned = m.model
    ? `${m.churned} as ${m.model} learned it ("${m.churnedValue}" = churned${m.stayedValue ? `, "${m.stayedValue}" = stayed` : ""})`
    : `${m.churned} as churned`;
  return `Read ${m.customerId} as the customer id and ${churned}${m.observedAt ? `, ${m.observedAt} as the date observed` : ""}.`;
}

/**
 * A prediction's Performance card: waits for COMPLETED, then shows the realized numbers and chart,
 * the challenger against the champion, and the file's drift (flagged at the top). While it runs
 * only the prediction is asked for (its performance would answer 409 twice a second, spending the
 * rate limit); a FAILED or CANCELED one has nothing to measure, so nothing more is asked.
 */
export function startPerformance() {
  const id = decodeURIComponent(location.pathname.split("/").pop() ?? "");
  const path = `/predictions/${encodeURIComponent(id)}`;
  const card = /** @type {HTMLElement} */ (document.getElementById("performance-card"));
  const load = async () => {
    try {
      const { status } = await api(path);
      if (status !== "COMPLETED") return status === "QUEUED" || status === "RUNNING";
      const [performance, drift] = await Promise.all([api(`${path}/performance`), api(`${path}/drift`)]);
      await renderPerformance(performance, `/v1${path}/performance.svg`);
      renderChallenger(id, performance);
      renderPredictionDrift(drift);
      showCard(card);
      return false;
    } catch (e) {
      return /** @type {{status?: number}} */ (e).status === 409;
    }
  };
  load().then((again) => again && pollWhile(load));
}

/** A model's Performance card (its page calls this once the model is READY): pooled realized numbers, and the drift of its latest files. @param {string} id */
export async function showModelPerformance(id) {
  const card = /** @type {HTMLElement} */ (document.getElementById("performance-card"));
  const path = `/models/${encodeURIComponent(id)}/performance`;
  const p = await api(path);
  await renderPerformance(p, `/v1${path}.svg`);
  renderModelDrift(p.drift);
  showCard(card);
}

/** The card replaces the Performance tab's "measured once…" note. @param {HTMLElement} card */
function showCard(card) {
  card.hidden = false;
  /** @type {HTMLElement} */ (document.getElementById("performance-pending")).hidden = true;
}

/** "95% interval 0.842–0.883" (DeLong), under the AUC it belongs to. @param {{value: number, interval: [number, number]}} auc */
const intervalText = (auc) => `95% interval ${formatMetric(auc.interval[0])}–${formatMetric(auc.interval[1])}`;

/** @param {any} p */
const notEnough = (p) =>
  `${capitalize(p.message)}: ${formatCount(p.labeledRows)} customers labeled (${formatCount(p.churned)} churned, ${formatCount(p.stayed)} stayed).`;

/** Realized AUC with its interval, Brier, lift; then the calibration and lift chart. @param {any} p @param {string} chartUrl */
async function renderPerformance(p, chartUrl) {
  const target = /** @type {HTMLElement} */ (document.getElementById("performance"));
  if (p.status !== "ready") return target.replaceChildren(el("p", { id: "performance-status" }, notEnough(p)));
  target.replaceChildren(
    el(
      "div",
      { class: "stats", id: "performance-stats" },
      stat("Labeled customers", formatCount(p.labeledRows), "Scored, with an outcome observed after"),
      stat("Realized AUC", formatMetric(p.auc.value), intervalText(p.auc)),
      stat("Brier score", formatMetric(p.brier), "Mean squared error of the probabilities; lower is better"),
      ...p.top.map((/** @type {any} */ t) =>
        stat(
          `Churned in top ${Math.round(t.share * 100)}%`,
          formatPercent(t.precision),
          `${t.lift.toFixed(1)}× the churn rate of everyone (lift)`,
        ),
      ),
    ),
    await svgFigure(chartUrl, "Calibration per decile, and churn among the customers flagged first"),
  );
}

const VERDICTS = {
  challenger: "The challenger ranks churners better: the interval is above 0.",
  champion: "The champion ranks churners better: the interval is below 0.",
  no_clear_difference: "No clear difference yet: the interval includes 0.",
};

/** Champion and challenger side by side on the same customers, the AUC difference, and "Promote challenger". @param {string} id @param {any} p */
function renderChallenger(id, p) {
  const target = /** @type {HTMLElement} */ (document.getElementById("challenger"));
  const c = p.challenger;
  target.hidden = !c;
  if (!c) return;
  const name = c.model ?? "the challenger";
  const row = (/** @type {string} */ who, /** @type {string} */ model, /** @type {any} */ q) =>
    el(
      "tr",
      { "data-model": who },
      el("td", { "data-label": "Model" }, model),
      el(
        "td",
        { "data-label": "Realized AUC" },
        q.status === "ready" ? `${formatMetric(q.auc.value)} (${intervalText(q.auc)})` : "—",
      ),
      el("td", { "data-label": "Brier score" }, q.status === "ready" ? formatMetric(q.brier) : "—"),
      el(
        "td",
        { "data-label": "Churned in top 10%" },
        q.status === "ready" ? `${formatPercent(q.top[0].precision)} (lift ${q.top[0].lift.toFixed(1)}×)` : "—",
      ),
    );
  const difference = c.aucDifference;
  const verdict = difference
    ? `Challenger AUC − champion AUC: ${signed(difference.value)} (95% ${signed(difference.interval[0])} to ${signed(difference.interval[1])}, paired DeLong). ${VERDICTS[/** @type {keyof VERDICTS} */ (c.better)]}`
    : `${capitalize(c.champion.message)} to compare the two on the same customers.`;
  const promote = el(
    "button",
    { type: "button", class: "button small", id: "promote-challenger" },
    "Promote challenger",
  );
  const done = el("p", { id: "promote-result", class: "muted", role: "status" });
  promote.addEventListener("click", async () => {
    promote.setAttribute("disabled", "");
    try {
      const model = await api(`/predictions/${encodeURIComponent(id)}/promote-challenger`, { method: "POST" });
      done.textContent = `${model.label} is now the default model: uploads without a chosen model score with it.`;
    } catch (e) {
      promote.removeAttribute("disabled");
      done.textContent = /** @type {Error} */ (e).message;
    }
  });
  target.replaceChildren(
    el("h3", {}, "Champion and challenger"),
    el(
      "p",
      { class: "muted" },
      `Both models scored every row; measured on the same ${formatCount(c.labeledRows)} labeled customers.`,
    ),
    el(
      "div",
      { class: "table-scroll" },
      el(
        "table",
        { class: "table compact", id: "challenger-table" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ...["Model", "Realized AUC", "Brier score", "Churned in top 10%"].map((h) => el("th", { scope: "col" }, h)),
          ),
        ),
        el(
          "tbody",
          {},
          row("champion", `${p.modelVersion ?? "Champion"} (champion)`, c.champion),
          row("challenger", `${name} (challenger)`, c.challenger),
        ),
      ),
    ),
    el("p", { id: "challenger-verdict", class: "verdict" }, verdict),
    promote,
    done,
  );
}

/** The drift table, shifted columns first, and the flag at the top of the page. @param {any} d */
function renderPredictionDrift(d) {
  const section = /** @type {HTMLElement} */ (document.getElementById("drift"));
  const flag = /** @type {HTMLElement} */ (document.getElementById("drift-flag"));
  section.hidden = false;
  if (d.status !== "measured") {
    /** @type {HTMLElement} */ (document.getElementById("drift-note")).textContent = d.message;
    /** @type {HTMLElement} */ (document.getElementById("drift-table")).hidden = true;
    return;
  }
  const columns = [...d.columns].sort((a, b) => b.psi - a.psi);
  fillRows(
    "drift-table",
    columns.map((c) =>
      el(
        "tr",
        { "data-column": c.name, class: c.flagged ? "flagged" : undefined },
        el("td", { "data-label": "Column" }, c.label),
        el("td", { "data-label": "PSI", class: "number-cell" }, formatMetric(c.psi)),
        el(
          "td",
          { "data-label": "Unseen values", class: "number-cell" },
          c.unseenShare == null ? "—" : formatPercent(c.unseenShare),
        ),
        el("td", { "data-label": "Shifted" }, c.flagged ? el("span", { class: "badge shifted" }, "Shifted") : "No"),
      ),
    ),
  );
  const shifted = columns.filter((c) => c.flagged);
  flag.hidden = shifted.length === 0;
  flag.replaceChildren(
    `Drift: ${shifted.length} input ${shifted.length === 1 ? "column differs" : "columns differ"} from the model's training data (PSI above ${d.threshold}): ${shifted.map((c) => c.label).join(", ")}. Scores may be less reliable; see `,
    el("a", { href: "#performance" }, "Performance"),
    ".",
  );
}

/** One row per recent file scored with the model. @param {any[]} files */
function renderModelDrift(files) {
  const section = /** @type {HTMLElement} */ (document.getElementById("drift"));
  section.hidden = files.length === 0;
  fillRows(
    "drift-table",
    files.map((f) =>
      el(
        "tr",
        { "data-prediction": f.predictionId, class: f.flaggedColumns.length ? "flagged" : undefined },
        el(
          "td",
          { "data-label": "File" },
          el("a", { href: `/predictions/${encodeURIComponent(f.predictionId)}` }, f.inputFilename),
        ),
        el("td", { "data-label": "Scored" }, formatDate(f.predictedAt)),
        el("td", { "data-label": "Rows", class: "number-cell" }, formatCount(f.rows)),
        el("td", { "data-label": "Largest PSI", class: "number-cell" }, formatMetric(f.maxPsi)),
        el("td", { "data-label": "Shifted columns" }, f.flaggedColumns.length ? f.flaggedColumns.join(", ") : "None"),
      ),
    ),
  );
}

/** @param {string} id @param {HTMLElement[]} rows */
function fillRows(id, rows) {
  /** @type {HTMLElement} */ (document.querySelector(`#${id} tbody`)).replaceChildren(...rows);
}

/** @param {number} x */
const signed = (x) => `${x >= 0 ? "+" : "−"}${formatMetric(Math.abs(x))}`;

/** The trend chart on the predictions page. */
export async function startTrends() {
  const card = /** @type {HTMLElement} */ (document.getElementById("trend-card"));
  const chart = /** @type {HTMLElement} */ (document.getElementById("trend-chart"));
  try {
    const figure = await svgFigure(
      "/v1/insights/trends.svg",
      "Uploads, mean churn probability, share High risk and realized AUC per day",
    );
    chart.replaceChildren(figure);
    // No upload in the period: the list's own "No predictions yet" says it; empty axes would not.
    card.hidden = figure.querySelector("svg[data-empty]") !== null;
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
