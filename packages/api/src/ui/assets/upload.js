// @ts-check
import { filePicker, sendWithProgress } from "./file-picker.js";
import { fillModelSelect } from "./model-select.js";

/** Upload a customer file and score it with the chosen model (the account's default preselected). */
export function startUpload() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("upload-form"));
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("model"));
  const button = /** @type {HTMLButtonElement} */ (document.getElementById("upload-button"));
  /** @type {File | null} */
  let file = null;
  fillModelSelect(select, new URLSearchParams(location.search).get("model"));
  filePicker({
    onChoose: (chosen, problem) => {
      file = chosen;
      button.disabled = !file || Boolean(problem);
    },
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file) return;
    const model = select.value;
    const prediction = await sendWithProgress(file, button, { path: model ? `/predictions?model=${encodeURIComponent(model)}` : "/predictions" });
    if (prediction) location.assign(`/predictions?uploaded=${encodeURIComponent(prediction.id)}`);
  });
}
