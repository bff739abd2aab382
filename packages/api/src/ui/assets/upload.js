// @ts-check
import { filePicker, sendWithProgress } from "./file-picker.js";
import { modelsInstead } from "./failure.js";
import { fillModelSelect } from "./model-select.js";

/** Upload a customer file and score it with the chosen model (the account's default preselected). */
export function startUpload() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("upload-form"));
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("model"));
  const challenger = /** @type {HTMLSelectElement} */ (document.getElementById("challenger"));
  const button = /** @type {HTMLButtonElement} */ (document.getElementById("upload-button"));
  /** @type {File | null} */
  let file = null;
  // A model is not its own challenger: the challenger list leaves out the model chosen above.
  const offerChallengers = () => {
    for (const option of challenger.options) option.hidden = option.value !== "" && option.value === select.value;
    if (challenger.selectedOptions[0]?.hidden) challenger.value = "";
  };
  Promise.all([
    fillModelSelect(select, new URLSearchParams(location.search).get("model")),
    fillModelSelect(challenger, new URLSearchParams(location.search).get("challenger"), { none: "None" }),
  ]).then(offerChallengers);
  select.addEventListener("change", offerChallengers);
  filePicker({
    onChoose: (chosen, problem) => {
      file = chosen;
      button.disabled = !file || Boolean(problem);
    },
  });
  const instead = /** @type {HTMLElement} */ (document.getElementById("upload-instead"));
  const send = async () => {
    if (!file) return;
    instead.replaceChildren();
    const query = new URLSearchParams();
    if (select.value) query.set("model", select.value);
    if (challenger.value) query.set("challenger", challenger.value);
    // A file the chosen model cannot read is refused naming the models that can: one click scores with one of them.
    const onRefused = (/** @type {Error} */ error) =>
      instead.replaceChildren(
        modelsInstead(error, (modelId) => {
          select.value = modelId;
          offerChallengers();
          send();
        }) ?? "",
      );
    const prediction = await sendWithProgress(file, button, {
      path: query.size ? `/predictions?${query}` : "/predictions",
      onRefused,
    });
    if (prediction) location.assign(`/predictions?uploaded=${encodeURIComponent(prediction.id)}`);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
}
