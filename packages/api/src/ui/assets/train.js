// @ts-check
// The training form. The churn column is picked from the file's own header, read in the browser
// before anything is uploaded; the values seen in that column suggest the "churned" value.
import { readHeader, valuesOf } from "./csv-header.js";
import { filePicker, sendWithProgress } from "./file-picker.js";
import { el } from "./format.js";

/** Header names that usually hold the outcome, preselected when the file has one. */
const LIKELY_LABEL = /churn|attrition|exited|cancel+ed|left/i;
/** A churn column has two values; more in the first rows says the customer probably picked the wrong one. */
const LABEL_VALUES_SHOWN = 6;

export function startTrain() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("train-form"));
  const label = /** @type {HTMLSelectElement} */ (document.getElementById("label-column"));
  const positive = /** @type {HTMLInputElement} */ (document.getElementById("positive"));
  const name = /** @type {HTMLInputElement} */ (document.getElementById("model-name"));
  const button = /** @type {HTMLButtonElement} */ (document.getElementById("train-button"));
  const error = /** @type {HTMLElement} */ (document.getElementById("upload-error"));
  /** @type {File | null} */
  let file = null;
  /** @type {{columns: string[], rows: string[][]}} */
  let head = { columns: [], rows: [] };
  let suggestedName = "";

  const update = () => (button.disabled = !file || !label.value || !name.value.trim());
  filePicker({
    limit: "maxTrainingBytes",
    onChoose: async (chosen, problem) => {
      file = problem ? null : chosen;
      resetLabel(label, chosen ? "Reading the header…" : "Choose a file first");
      if (file) {
        if (!name.value || name.value === suggestedName) name.value = suggestedName = nameFrom(file.name);
        head = await showColumns(file, label, error);
        showValues(head, label, positive);
      }
      update();
    },
  });
  label.addEventListener("change", () => {
    showValues(head, label, positive);
    update();
  });
  name.addEventListener("input", update);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file || button.disabled) return;
    const fields = {
      label: label.value,
      name: name.value.trim(),
      ...(positive.value.trim() ? { positive: positive.value.trim() } : {}),
    };
    const model = await sendWithProgress(file, button, { path: "/models", fields });
    if (model) location.assign(`/models/${encodeURIComponent(model.id)}?started=1`);
  });
}

/**
 * Fills the churn column choice from the file's header; the rows read with it are returned for the value hints.
 * @param {File} file @param {HTMLSelectElement} label @param {HTMLElement} error @returns {Promise<{columns: string[], rows: string[][]}>}
 */
async function showColumns(file, label, error) {
  const head = await readHeader(file);
  const named = head.columns.filter((c) => c !== "");
  if (named.length < 2) {
    error.textContent = `${file.name} has ${named.length === 1 ? "one column" : "no header row"} in its first lines: a training file needs the churn column and at least one column about the customer.`;
    resetLabel(label, "No columns found");
    return { columns: [], rows: [] };
  }
  const likely = named.find((c) => LIKELY_LABEL.test(c));
  label.replaceChildren(
    el("option", { value: "" }, "Choose the churn column"),
    ...named.map((c) => el("option", { value: c }, c)),
  );
  label.value = likely ?? "";
  label.disabled = false;
  return head;
}

/** @param {HTMLSelectElement} label @param {string} text */
function resetLabel(label, text) {
  label.replaceChildren(el("option", { value: "" }, text));
  label.disabled = true;
}

/** @param {{columns: string[], rows: string[][]}} head @param {HTMLSelectElement} label @param {HTMLInputElement} positive */
function showValues({ columns, rows }, label, positive) {
  const hint = /** @type {HTMLElement} */ (document.getElementById("positive-hint"));
  hint.dataset.blank ??= hint.textContent ?? "";
  const list = /** @type {HTMLElement} */ (document.getElementById("positive-values"));
  const column = label.value ? columns.indexOf(label.value) : -1;
  const values = column >= 0 ? valuesOf(rows, column) : [];
  list.replaceChildren(...values.slice(0, LABEL_VALUES_SHOWN).map(({ value }) => el("option", { value })));
  if (values.length === 0) {
    hint.textContent = hint.dataset.blank ?? "";
    return;
  }
  const seen = values
    .slice(0, LABEL_VALUES_SHOWN)
    .map(({ value, count }) => `${value} (${count})`)
    .join(", ");
  const more = values.length > LABEL_VALUES_SHOWN ? ` and ${values.length - LABEL_VALUES_SHOWN} more` : "";
  // What a blank field means stays said once the values are shown.
  hint.textContent = `Seen in the first ${rows.length.toLocaleString("en-US")} rows: ${seen}${more}.${values.length > 2 ? " A churn column usually has two values." : ""} Left blank, the one that reads as churned counts as churned.`;
  if (positive.value && !values.some(({ value }) => value === positive.value)) positive.value = "";
}

/** "Bank customers 2024.csv" -> "bank-customers-2024": a name that reads well as `bank-customers-2024-v1`. @param {string} fileName */
function nameFrom(fileName) {
  const slug = fileName
    .replace(/\.[^.]*$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug || "model";
}
