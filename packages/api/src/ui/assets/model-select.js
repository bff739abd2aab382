// @ts-check
// The upload form's model choice: every READY model of the account and the built-in one, the
// account's default preselected (or the one named by `?model=`, as the model page links).
import { api } from "./api.js";
import { el, formatMetric } from "./format.js";
import { heldOut, isDefault, modelName } from "./model-format.js";

/** An account has a handful of models; one page of the list holds them. */
const MODELS_LIMIT = 100;

/**
 * `none`: the text of a first, empty choice (the optional challenger); without it the default model
 * (or `wanted`) is preselected.
 * @param {HTMLSelectElement} select @param {string | null} wanted @param {{none?: string}} [options]
 */
export async function fillModelSelect(select, wanted, { none } = {}) {
  const noneOption = () => (none ? [el("option", { value: "" }, none)] : []);
  try {
    const { items } = await api(`/models?limit=${MODELS_LIMIT}`);
    const ready = items.filter((/** @type {any} */ m) => m.status === "READY");
    select.replaceChildren(
      ...noneOption(),
      ...ready.map((/** @type {any} */ m) => el("option", { value: m.id }, optionText(m))),
    );
    const preselected =
      ready.find((/** @type {any} */ m) => m.id === wanted) ?? (none ? undefined : ready.find(isDefault));
    if (preselected) select.value = preselected.id;
  } catch {
    // Without the list the server still scores with the account's default when no model is named.
    select.replaceChildren(...(none ? noneOption() : [el("option", { value: "" }, "Your default model")]));
  }
  select.disabled = false;
}

/** "bank-v2 · AUC 0.842 · default" @param {any} m */
function optionText(m) {
  const auc = heldOut(m)?.auc;
  return [modelName(m), auc == null ? null : `AUC ${formatMetric(auc)}`, isDefault(m) ? "default" : null]
    .filter(Boolean)
    .join(" · ");
}
