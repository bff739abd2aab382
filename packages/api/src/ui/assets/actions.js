// @ts-check
// Download and delete/cancel: the same buttons on the lists and on a prediction's or model's page.
import { api } from "./api.js";
import { el, isActive } from "./format.js";

/**
 * What the buttons act on. `path` is the resource under /v1; `name` how it reads in labels.
 * @typedef {{path: string, name: string, noun: string, active: boolean, cancelText: string, deleteText: string}} Target
 */

/** @param {any} p @returns {Target} */
export function predictionTarget(p) {
  const name = p.inputFilename ?? "this prediction";
  return {
    path: `/predictions/${p.id}`,
    name,
    noun: "prediction",
    active: isActive(p.status),
    cancelText: `Scoring of ${name} stops and its files are deleted.`,
    deleteText: `${name} and its results are deleted for good.`,
  };
}

/**
 * Saves the file of a presigned URL the API answers at `path` (`{url, filename}`). The URL expires in
 * minutes, so it is asked for on click, never rendered ahead. @param {string} path
 */
export async function downloadFrom(path) {
  const { url, filename } = await api(path);
  const link = el("a", { href: url, download: filename ?? "" });
  document.body.append(link);
  link.click();
  link.remove();
}

/** @param {Target} target @param {(error: Error) => void} onError @param {string} [what] what is downloaded, for the label */
export function downloadButton(target, onError, what = "results of") {
  const button = el(
    "button",
    { type: "button", class: "button primary small", "aria-label": `Download ${what} ${target.name}` },
    "Download",
  );
  button.addEventListener("click", async () => {
    button.setAttribute("disabled", "");
    try {
      await downloadFrom(`${target.path}/download`);
    } catch (error) {
      onError(/** @type {Error} */ (error));
    } finally {
      button.removeAttribute("disabled");
    }
  });
  return button;
}

/**
 * "Cancel" while the job runs, "Delete" after; either asks first in the page's `<dialog id=confirm>`.
 * @param {Target} target @param {(after: any) => void} onDone @param {(error: Error) => void} onError
 */
export function deleteButton(target, onDone, onError) {
  const verb = target.active ? "Cancel" : "Delete";
  const button = el(
    "button",
    { type: "button", class: "button danger-outline small", "aria-label": `${verb} ${target.name}` },
    verb,
  );
  button.addEventListener("click", async () => {
    const confirmed = await confirmAction(
      `${verb} ${target.noun}?`,
      target.active ? target.cancelText : target.deleteText,
      verb,
    );
    if (!confirmed) return button.focus();
    try {
      onDone(await api(target.path, { method: "DELETE" }));
    } catch (error) {
      onError(/** @type {Error} */ (error));
    }
  });
  return button;
}

/** @param {string} title @param {string} text @param {string} verb @returns {Promise<boolean>} */
function confirmAction(title, text, verb) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("confirm"));
  /** @type {HTMLElement} */ (dialog.querySelector("#confirm-title")).textContent = title;
  /** @type {HTMLElement} */ (dialog.querySelector("#confirm-text")).textContent = text;
  /** @type {HTMLElement} */ (dialog.querySelector("#confirm-yes")).textContent = verb;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }),
  );
}
