// @ts-check
import { deleteButton, downloadButton } from "./actions.js";
import { el, formatDate, formatMetric, isActive, statusBadge } from "./format.js";
import { failureDetails, failureMessage } from "./failure.js";
import { startLiveList } from "./live-list.js";
import { canDelete, canDownload, canMakeDefault, makeDefaultButton, modelTarget } from "./model-actions.js";
import { heldOut, isDefault, modelMarks, modelName, trainingBar, trainingText } from "./model-format.js";

/** The models list (the built-in one included): status, held-out quality, live training progress. */
export function startModels() {
  return startLiveList({
    path: "/models",
    rowFor,
    nameOf: modelName,
    // The default mark moves between rows without any status changing.
    stateOf: (m) => `${m.status}:${isDefault(m)}`,
    empty: () => [
      "No models yet. ",
      el("a", { href: "/models/new" }, "Train one"),
      " on customers whose outcome you know.",
    ],
  });
}

/** @param {any} m @param {import("./live-list.js").RowContext} context */
function rowFor(m, { showError, refresh }) {
  const metrics = heldOut(m);
  const actions = el("div", { class: "row-actions" });
  if (canMakeDefault(m)) actions.append(makeDefaultButton(m, () => refresh(), showError));
  if (canDownload(m)) actions.append(downloadButton(modelTarget(m), showError, "model"));
  if (canDelete(m)) actions.append(deleteButton(modelTarget(m), () => refresh(), showError));
  return el(
    "tr",
    { "data-id": m.id, "data-status": m.status, "data-default": String(isDefault(m)) },
    // One wrapper: on a phone the cell is a two-column grid (label, content).
    el(
      "td",
      { "data-label": "Model", class: "file-cell" },
      el("div", {}, el("a", { href: `/models/${m.id}` }, modelName(m)), " ", ...modelMarks(m)),
    ),
    el("td", { "data-label": "Trained", class: "date-cell" }, formatDate(m.completedAt ?? m.createdAt)),
    statusCell(m),
    el("td", { "data-label": "Held-out AUC", class: "number-cell" }, formatMetric(metrics?.auc)),
    el("td", { "data-label": "Brier score", class: "number-cell" }, formatMetric(metrics?.brier)),
    el("td", { class: "actions-cell" }, actions),
  );
}

/** The badge, and while training the phase and a bar (the cell swapped on each poll). @param {any} m */
function statusCell(m) {
  const content = el(
    "div",
    {},
    statusBadge(m.status),
    m.status === "FAILED" && m.error ? failureDetails(failureMessage(m.error.message)) : null,
  );
  if (isActive(m.status)) content.append(el("span", { class: "progress-text" }, trainingText(m)), trainingBar(m));
  return el("td", { "data-label": "Status", class: "progress-cell" }, content);
}
