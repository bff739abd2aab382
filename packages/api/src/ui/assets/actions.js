// @ts-check
// Download and delete/cancel: the same buttons on the list and on a prediction's page.
import { api } from "./api.js";
import { el, isActive } from "./format.js";

/** @param {any} prediction @param {(error: Error) => void} onError */
export function downloadButton(prediction, onError) {
  const button = el("button", { type: "button", class: "button primary small", "aria-label": `Download results of ${prediction.inputFilename ?? "this prediction"}` }, "Download");
  button.addEventListener("click", async () => {
    button.setAttribute("disabled", "");
    try {
      // The presigned URL expires in minutes, so it is asked for on click, never rendered ahead.
      const { url, filename } = await api(`/predictions/${prediction.id}/download`);
      const link = el("a", { href: url, download: filename ?? "" });
      document.body.append(link);
      link.click();
      link.remove();
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
 * @param {any} prediction @param {(after: any) => void} onDone @param {(error: Error) => void} onError
 */
export function deleteButton(prediction, onDone, onError) {
  const verb = isActive(prediction.status) ? "Cancel" : "Delete";
  const name = prediction.inputFilename ?? "this prediction";
  const button = el("button", { type: "button", class: "button danger-outline small", "aria-label": `${verb} ${name}` }, verb);
  button.addEventListener("click", async () => {
    const confirmed = await confirmAction(
      `${verb} prediction?`,
      verb === "Cancel" ? `Scoring of ${name} stops and its files are deleted.` : `${name} and its results are deleted for good.`,
      verb,
    );
    if (!confirmed) return button.focus();
    try {
      onDone(await api(`/predictions/${prediction.id}`, { method: "DELETE" }));
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
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }));
}
