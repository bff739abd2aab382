// @ts-check
import { api, uploadFile } from "./api.js";
import { formatBytes } from "./format.js";

/**
 * Client-side checks only save a customer a wasted upload; the server checks again and its
 * message (413/415/400) is shown exactly as it comes back.
 */
export function startUpload() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("upload-form"));
  const input = /** @type {HTMLInputElement} */ (document.getElementById("file"));
  const zone = /** @type {HTMLElement} */ (document.getElementById("drop-zone"));
  const chosen = /** @type {HTMLElement} */ (document.getElementById("chosen-file"));
  const error = /** @type {HTMLElement} */ (document.getElementById("upload-error"));
  const button = /** @type {HTMLButtonElement} */ (document.getElementById("upload-button"));
  /** @type {File | null} */
  let file = null;
  let maxBytes = Infinity;

  api("/limits")
    .then((limits) => {
      maxBytes = limits.maxUploadBytes;
      /** @type {HTMLElement} */ (document.getElementById("size-cap")).textContent = `CSV files up to ${formatBytes(maxBytes)}`;
    })
    // Without the cap the server still enforces it (413); the page just cannot warn ahead.
    .catch(() => {});

  /** @param {File | undefined} picked */
  const choose = (picked) => {
    error.textContent = "";
    file = picked ?? null;
    chosen.hidden = !file;
    chosen.textContent = file ? `${file.name} · ${formatBytes(file.size)}` : "";
    const problem = file && checkFile(file, maxBytes);
    if (problem) error.textContent = problem;
    button.disabled = !file || Boolean(problem);
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
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (file) await send(file, { button, error });
  });
}

/** @param {File} file @param {number} maxBytes @returns {string | null} */
function checkFile(file, maxBytes) {
  if (!/\.csv$/i.test(file.name)) return `${file.name} is not a CSV file: choose a file ending in .csv.`;
  if (file.size === 0) return `${file.name} is empty: choose a CSV with a header row and at least one customer.`;
  if (file.size > maxBytes) return `${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(maxBytes)} limit: split it into smaller files.`;
  return null;
}

/** @param {File} file @param {{button: HTMLButtonElement, error: HTMLElement}} ui */
async function send(file, { button, error }) {
  const block = /** @type {HTMLElement} */ (document.getElementById("upload-progress"));
  const bar = /** @type {HTMLProgressElement} */ (document.getElementById("upload-bar"));
  const percent = /** @type {HTMLElement} */ (document.getElementById("upload-percent"));
  button.disabled = true;
  error.textContent = "";
  block.hidden = false;
  try {
    const prediction = await uploadFile(file, (fraction) => {
      bar.value = Math.round(fraction * 100);
      percent.textContent = `${bar.value}%`;
    });
    location.assign(`/predictions?uploaded=${encodeURIComponent(prediction.id)}`);
  } catch (e) {
    block.hidden = true;
    error.textContent = /** @type {Error} */ (e).message;
    button.disabled = false;
  }
}
