// @ts-check
import { deleteButton, downloadButton } from "./actions.js";
import { api } from "./api.js";
import { announce, el, fileName, formatDate, isActive, progressText, statusBadge, statusLabel } from "./format.js";
import { pollWhile } from "./poll.js";

const PAGE_SIZE = 20;

/** The list, newest first, a page at a time (`?cursor=`); active rows update in place. */
export async function startPredictions() {
  const params = new URLSearchParams(location.search);
  const tbody = /** @type {HTMLElement} */ (document.querySelector("#predictions tbody"));
  const error = /** @type {HTMLElement} */ (document.getElementById("list-error"));
  const showError = (/** @type {Error} */ e) => (error.textContent = e.message);
  const cursor = params.get("cursor");
  const query = `/predictions?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  const uploaded = params.get("uploaded");
  if (uploaded) showFlash("Upload received: scoring has started.");

  /** @type {{items: any[], nextCursor: string | null}} */
  let page;
  try {
    page = await api(query);
  } catch (e) {
    tbody.replaceChildren();
    return showError(/** @type {Error} */ (e));
  }
  /** @type {Map<string, string>} id -> status shown, so a row is rebuilt only when its status changes */
  const shown = new Map();
  const render = (/** @type {any} */ p, /** @type {number} */ index) => {
    const row = rowFor(p, { showError, onDeleted: () => refresh(), highlight: p.id === uploaded });
    const existing = tbody.querySelector(`tr[data-id="${CSS.escape(p.id)}"]`);
    if (existing && shown.get(p.id) === p.status) {
      /** @type {HTMLElement} */ (existing.querySelector(".progress-cell")).replaceWith(row.querySelector(".progress-cell") ?? "");
    } else if (existing) {
      existing.replaceWith(row);
      announce(`${fileName(p)}: ${statusLabel(p.status)}`);
    } else {
      tbody.insertBefore(row, tbody.querySelectorAll("tr[data-id]")[index] ?? null);
    }
    shown.set(p.id, p.status);
  };
  const refresh = async () => {
    const next = await api(query);
    const ids = new Set(next.items.map((/** @type {any} */ p) => p.id));
    for (const row of tbody.querySelectorAll("tr[data-id]")) if (!ids.has(/** @type {HTMLElement} */ (row).dataset.id ?? "")) row.remove();
    next.items.forEach(render);
    showEmpty(tbody, next.items.length === 0);
    return next.items.some((/** @type {any} */ p) => isActive(p.status));
  };

  tbody.replaceChildren();
  page.items.forEach(render);
  showEmpty(tbody, page.items.length === 0);
  showPager(cursor, page.nextCursor);
  if (page.items.some((p) => isActive(p.status))) pollWhile(refresh);
}

/** @param {any} p @param {{showError: (e: Error) => void, onDeleted: () => void, highlight: boolean}} options */
function rowFor(p, { showError, onDeleted, highlight }) {
  const name = fileName(p);
  const title = el("a", { href: `/predictions/${p.id}` }, name);
  const detail = p.status === "FAILED" && p.error ? el("p", { class: "row-error" }, p.error.message) : null;
  const actions = el("div", { class: "row-actions" });
  if (p.status === "COMPLETED") actions.append(downloadButton(p, showError));
  if (p.status !== "CANCELED") actions.append(deleteButton(p, onDeleted, showError));
  return el(
    "tr",
    { "data-id": p.id, "data-status": p.status, class: highlight ? "highlight" : undefined },
    el("td", { "data-label": "File", class: "file-cell" }, title, detail),
    el("td", { "data-label": "Uploaded", class: "date-cell" }, formatDate(p.createdAt)),
    el("td", { "data-label": "Status" }, statusBadge(p.status)),
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
  cell.append(el("span", { class: "progress-text" }, progressText(p)), bar);
  return cell;
}

/** @param {HTMLElement} tbody @param {boolean} empty */
function showEmpty(tbody, empty) {
  const existing = tbody.querySelector("tr.placeholder");
  if (!empty) return existing?.remove();
  if (!existing) tbody.append(el("tr", { class: "placeholder" }, el("td", { colspan: "5" }, "No predictions yet. ", el("a", { href: "/upload" }, "Upload a CSV"), " to score your customers.")));
}

/** @param {string | null} cursor @param {string | null} nextCursor */
function showPager(cursor, nextCursor) {
  const newest = /** @type {HTMLAnchorElement} */ (document.getElementById("newest-page"));
  const older = /** @type {HTMLAnchorElement} */ (document.getElementById("older-page"));
  newest.hidden = !cursor;
  older.hidden = !nextCursor;
  if (nextCursor) older.href = `/predictions?cursor=${encodeURIComponent(nextCursor)}`;
}

/** @param {string} text */
function showFlash(text) {
  const flash = /** @type {HTMLElement} */ (document.getElementById("flash"));
  flash.textContent = text;
  flash.hidden = false;
  history.replaceState(null, "", location.pathname + location.search.replace(/[?&]uploaded=[^&]*/, "").replace(/^&/, "?"));
}
