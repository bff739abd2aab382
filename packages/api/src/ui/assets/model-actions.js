// @ts-check
// What a customer does with a model, on the list and on its page: make it the default, download
// the .onnx, delete it (cancel while it trains).
import { api } from "./api.js";
import { el, isActive } from "./format.js";
import { isBuiltIn, isDefault, modelName } from "./model-format.js";

/** @param {any} m @returns {import("./actions.js").Target} */
export function modelTarget(m) {
  const name = modelName(m);
  return {
    path: `/models/${m.id}`,
    name,
    noun: "model",
    active: isActive(m.status),
    cancelText: `Training of ${name} stops and the model is deleted.`,
    deleteText: `${name} is deleted for good. Predictions already scored with it keep their results; new uploads cannot use it.`,
  };
}

/** Shown for a READY model that is not already the default. @param {any} m @param {() => void} onDone @param {(e: Error) => void} onError */
export function makeDefaultButton(m, onDone, onError) {
  const button = el(
    "button",
    { type: "button", class: "button small", "aria-label": `Make ${modelName(m)} the default model` },
    "Make default",
  );
  button.addEventListener("click", async () => {
    button.setAttribute("disabled", "");
    try {
      await api("/account/default-model", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ modelId: m.id }),
      });
      onDone();
    } catch (error) {
      button.removeAttribute("disabled");
      onError(/** @type {Error} */ (error));
    }
  });
  return button;
}

/** Which actions a model offers: a built-in model can be the default, never deleted or downloaded here. @param {any} m */
export const canMakeDefault = (m) => m.status === "READY" && !isDefault(m);
/** @param {any} m */
export const canDownload = (m) => m.status === "READY" && !isBuiltIn(m);
/** @param {any} m */
export const canDelete = (m) => !isBuiltIn(m) && m.status !== "CANCELED";
