// @ts-check
import { deleteButton, downloadButton, predictionTarget } from "./actions.js";
import { el, fileName, formatDate, isActive, progressText, statusBadge } from "./format.js";
import { failureDetails, failurePanel } from "./failure.js";
import { startLiveList } from "./live-list.js";

/** The predictions list: newest first, a page at a time; running rows update in place. */
export function startPredictions() {
  return startLiveList({
    path: "/predictions",
    rowFor,
    nameOf: fileName,
    empty: () => ["No predictions yet. ", el("a", { href: "/upload" }, "Upload a CSV"), " to score your customers."],
    flash: { param: "uploaded", text: "Upload received: scoring has started." },
  });
}

/** @param {any} p @param {import("./live-list.js").RowContext} context */
function rowFor(p, { showError, refresh, highlighted }) {
  const name = fileName(p);
  const title = el("a", { href: `/predictions/${p.id}` }, name);
  const actions = el("div", { class: "row-actions" });
  if (p.status === "COMPLETED") actions.append(downloadButton(predictionTarget(p), showError));
  if (p.status !== "CANCELED") actions.append(deleteButton(predictionTarget(p), () => refresh(), showError));
  return el(
    "tr",
    { "data-id": p.id, "data-status": p.status, class: p.id === highlighted ? "highlight" : undefined },
    // One wrapper: on a phone the cell is a two-column grid (label, content).
    el("td", { "data-label": "File", class: "file-cell" }, el("div", {}, title)),
    el("td", { "data-label": "Uploaded", class: "date-cell" }, formatDate(p.createdAt)),
    el(
      "td",
      { "data-label": "Status", class: "status-cell" },
      el("div", {}, statusBadge(p.status), p.status === "FAILED" ? failureDetails(failurePanel(p)) : null),
    ),
    progressCell(p),
    el("td", { class: "actions-cell" }, actions),
  );
}

/** @param {any} p */
function progressCell(p) {
  const cell = el("td", { "data-label": "Progress", class: "progress-cell" });
  if (!isActive(p.status)) {
    const rows = p.metrics?.rowsScored ?? p.progress?.rowsProcessed;
    cell.append(p.status === "COMPLETED" && rows != null ? `${rows.toLocaleString("en-US")} rows scored` : "—");
    return cell;
  }
  const percent = p.progress?.percent;
  const bar = el("progress", { max: "100", "aria-label": `Progress of ${fileName(p)}` });
  if (percent != null) /** @type {HTMLProgressElement} */ (bar).value = percent;
  cell.append(el("div", {}, el("span", { class: "progress-text" }, progressText(p)), bar));
  return cell;
}
