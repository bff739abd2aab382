// @ts-check
// The file picker shared by the upload and training forms (same element ids on both pages): the
// button, drag and drop, the size cap from /v1/limits, and the upload progress bar.
import { api, uploadFile } from "./api.js";
import { formatBytes } from "./format.js";

/**
 * Client-side checks only save a customer a wasted upload; the server checks again and its
 * message (413/415/400) is shown exactly as it comes back.
 * `limit`: which of /v1/limits caps the form's files (a training file has its own, smaller one).
 * @param {{onChoose: (file: File | null, problem: string | null) => void, limit?: "maxUploadBytes" | "maxTrainingBytes"}} options
 */
export function filePicker({ onChoose, limit = "maxUploadBytes" }) {
  const input = /** @type {HTMLInputElement} */ (document.getElementById("file"));
  const zone = /** @type {HTMLElement} */ (document.getElementById("drop-zone"));
  const chosen = /** @type {HTMLElement} */ (document.getElementById("chosen-file"));
  const error = /** @type {HTMLElement} */ (document.getElementById("upload-error"));
  let maxBytes = Infinity;

  api("/limits")
    .then((limits) => {
      maxBytes = limits[limit];
      /** @type {HTMLElement} */ (document.getElementById("size-cap")).textContent =
        `CSV files up to ${formatBytes(maxBytes)}`;
    })
    // Without the cap the server still enforces it (413); the page just cannot warn ahead.
    .catch(() => {});

  /** @param {File | undefined} picked */
  const choose = (picked) => {
    error.textContent = "";
    const file = picked ?? null;
    chosen.hidden = !file;
    chosen.textContent = file ? `${file.name} · ${formatBytes(file.size)}` : "";
    const problem = file && checkFile(file, maxBytes);
    if (problem) error.textContent = problem;
    onChoose(file, problem || null);
  };
  input.addEventListener("change", () => choose(input.files?.[0]));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    choose(event.dataTransfer?.files[0]);
  });
}

/** @param {File} file @param {number} maxBytes @returns {string | null} */
function checkFile(file, maxBytes) {
  if (!/\.csv$/i.test(file.name)) return `${file.name} is not a CSV file: choose a file ending in .csv.`;
  if (file.size === 0) return `${file.name} is empty: choose a CSV with a header row and at least one customer.`;
  if (file.size > maxBytes)
    return `${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(maxBytes)} limit: split it into smaller files.`;
  return null;
}

/**
 * Sends the file with the progress bar showing; resolves the created resource, or shows the
 * server's message in the form's error line and resolves null (`onRefused` gets the error too).
 * @param {File} file @param {HTMLButtonElement} button
 * @param {{path?: string, fields?: Record<string, string>, onRefused?: (error: Error) => void}} [options]
 */
export async function sendWithProgress(file, button, options = {}) {
  const block = /** @type {HTMLElement} */ (document.getElementById("upload-progress"));
  const bar = /** @type {HTMLProgressElement} */ (document.getElementById("upload-bar"));
  const percent = /** @type {HTMLElement} */ (document.getElementById("upload-percent"));
  const error = /** @type {HTMLElement} */ (document.getElementById("upload-error"));
  button.disabled = true;
  error.textContent = "";
  block.hidden = false;
  try {
    return await uploadFile(
      file,
      (fraction) => {
        bar.value = Math.round(fraction * 100);
        percent.textContent = `${bar.value}%`;
      },
      options,
    );
  } catch (e) {
    block.hidden = true;
    error.textContent = /** @type {Error} */ (e).message;
    button.disabled = false;
    options.onRefused?.(/** @type {Error} */ (e));
    return null;
  }
}
