// @ts-check
// A list page that stays live: newest first, a page at a time (`?cursor=`), polled while any row is
// still running. A row is rebuilt when its state changes; otherwise only its `.progress-cell` is
// swapped, so focus and buttons stay put between progress ticks. Used by predictions and models.
import { api } from "./api.js";
import { announce, el, isActive, showFlash, statusLabel } from "./format.js";
import { pollWhile } from "./poll.js";

/**
 * @typedef {{showError: (e: Error) => void, refresh: () => Promise<unknown>, highlighted: string | null}} RowContext
 * @typedef {object} ListOptions
 * @property {string} path the page's path and its API path, e.g. "/predictions"
 * @property {(item: any, context: RowContext) => HTMLElement} rowFor a `<tr data-id>`
 * @property {(item: any) => string} nameOf how an item reads when announced
 * @property {(item: any) => string} [stateOf] a row is rebuilt when this changes (default: its status)
 * @property {() => (Node | string)[]} empty what the table says when there is nothing yet
 * @property {{param: string, text: string}} [flash] a message shown once when the page is opened with `?param=id` (that row is highlighted)
 */

const PAGE_SIZE = 20;

/** @param {ListOptions} options */
export async function startLiveList({ path, rowFor, nameOf, stateOf = (item) => item.status, empty, flash }) {
  const params = new URLSearchParams(location.search);
  const tbody = /** @type {HTMLElement} */ (document.querySelector("table.live-list tbody"));
  const error = /** @type {HTMLElement} */ (document.getElementById("list-error"));
  const showError = (/** @type {Error} */ e) => (error.textContent = e.message);
  const cursor = params.get("cursor");
  const query = `${path}?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  const highlighted = flash ? params.get(flash.param) : null;
  if (flash && highlighted) showFlash(flash.text, flash.param);
  const columns = tbody.closest("table")?.querySelectorAll("thead th").length ?? 1;

  /** @type {Map<string, string>} id -> state shown */
  const shown = new Map();
  const render = (/** @type {any} */ item, /** @type {number} */ index) => {
    const row = rowFor(item, { showError, refresh, highlighted });
    const existing = tbody.querySelector(`tr[data-id="${CSS.escape(item.id)}"]`);
    if (existing && shown.get(item.id) === stateOf(item)) {
      existing.querySelector(".progress-cell")?.replaceWith(row.querySelector(".progress-cell") ?? "");
    } else if (existing) {
      existing.replaceWith(row);
      if (shown.get(item.id)?.split(":")[0] !== item.status) announce(`${nameOf(item)}: ${statusLabel(item.status)}`);
    } else {
      tbody.insertBefore(row, tbody.querySelectorAll("tr[data-id]")[index] ?? null);
    }
    shown.set(item.id, stateOf(item));
    // "Scoring has started" is true only while it runs: the highlighted row says the rest.
    if (item.id === highlighted && !isActive(item.status))
      /** @type {HTMLElement} */ (document.getElementById("flash")).hidden = true;
  };
  const show = (/** @type {any[]} */ items) => {
    const ids = new Set(items.map((item) => item.id));
    for (const row of tbody.querySelectorAll("tr[data-id]"))
      if (!ids.has(/** @type {HTMLElement} */ (row).dataset.id ?? "")) row.remove();
    items.forEach(render);
    const placeholder = tbody.querySelector("tr.placeholder");
    if (items.length > 0) placeholder?.remove();
    else if (!placeholder)
      tbody.append(el("tr", { class: "placeholder" }, el("td", { colspan: String(columns) }, ...empty())));
    return items.some((item) => isActive(item.status));
  };
  async function refresh() {
    return show((await api(query)).items);
  }

  /** @type {{items: any[], nextCursor: string | null}} */
  let page;
  try {
    page = await api(query);
  } catch (e) {
    tbody.replaceChildren();
    return showError(/** @type {Error} */ (e));
  }
  tbody.replaceChildren();
  const anyActive = show(page.items);
  showPager(path, cursor, page.nextCursor);
  if (anyActive) pollWhile(refresh);
}

/** @param {string} path @param {string | null} cursor @param {string | null} nextCursor */
function showPager(path, cursor, nextCursor) {
  const newest = /** @type {HTMLAnchorElement} */ (document.getElementById("newest-page"));
  const older = /** @type {HTMLAnchorElement} */ (document.getElementById("older-page"));
  newest.hidden = !cursor;
  older.hidden = !nextCursor;
  if (nextCursor) older.href = `${path}?cursor=${encodeURIComponent(nextCursor)}`;
}
