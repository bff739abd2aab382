// @ts-check
import { filePicker, sendWithProgress } from "./file-picker.js";
import { fillModelSelect } from "./model-select.js";

/** Upload a customer file and score it with the chosen model (the account's default preselected). */
export function startUpload() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("upload-form"));
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("model"));
  const challenger = /** @type {HTMLSelectElement} */ (document.getElementById("challenger"));
  const button = /** @type {HTMLButtonElement} */ (document.getElementById("upload-button"));
  /** @type {File | null} */
  let file = null;
  fillModelSelect(select, new URLSearchParams(location.search).get("model"));
  fillModelSelect(challenger, new URLSearchParams(location.search).get("challenger"), { none: "None" });
  filePicker({
    onChoose: (chosen, problem) => {
      file = chosen;
      button.disabled = !file || Boolean(problem);
    },
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file) return;
    const query = new URLSearchParams();
    if (select.value) query.set("model", select.value);
    if (challenger.value) query.set("challenger", challenger.value);
    const prediction = await sendWithProgress(file, button, { path: query.size ? `/predictions?${query}` : "/predictions" });
    if (prediction) location.assign(`/predictions?uploaded=${encodeURIComponent(prediction.id)}`);
  });
}
