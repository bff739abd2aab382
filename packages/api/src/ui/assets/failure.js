// @ts-check
// What a customer can do about a refused upload or a failed prediction: the server's message, and
// the way forward — "Score with bank-v1 instead" for each model of the account that reads the file
// (`error.details.matchingModels` of a csv.missing_columns refusal), and Retry on a failed job.
import { api } from "./api.js";
import { el } from "./format.js";

/**
 * "Score with <model> instead" buttons for a refusal that names models reading the file; null when it names none.
 * @param {any} error an ApiError @param {(modelId: string) => void} onChoose
 */
export function modelsInstead(error, onChoose) {
  /** @type {{id: string, model: string}[]} */
  const matching = error?.details?.matchingModels ?? [];
  if (matching.length === 0) return null;
  return el(
    "div",
    { class: "row-actions instead" },
    ...matching.map((m) => {
      const button = el("button", { type: "button", class: "button small" }, `Score with ${m.model} instead`);
      button.addEventListener("click", () => onChoose(m.id));
      return button;
    }),
  );
}

/**
 * A failed prediction's details panel: why it failed, Retry (its stored file scored again by the same
 * model), and when a retry is refused for columns, the models that read the file.
 * @param {any} p a FAILED prediction
 */
export function failurePanel(p) {
  const message = failureMessage(p.error?.message ?? "The prediction failed.");
  const problem = el("p", { class: "form-error", role: "alert" });
  const instead = el("div");
  const retry = el(
    "button",
    { type: "button", class: "button small", "aria-label": `Retry ${p.inputFilename ?? "this prediction"}` },
    "Retry",
  );
  const run = async (/** @type {string | null} */ modelId) => {
    retry.setAttribute("disabled", "");
    problem.textContent = "";
    try {
      const created = await api(
        `/predictions/${encodeURIComponent(p.id)}/retry${modelId ? `?model=${encodeURIComponent(modelId)}` : ""}`,
        { method: "POST" },
      );
      location.assign(`/predictions?uploaded=${encodeURIComponent(created.id)}`);
    } catch (e) {
      problem.textContent = /** @type {Error} */ (e).message;
      instead.replaceChildren(modelsInstead(e, run) ?? "");
      retry.removeAttribute("disabled");
    }
  };
  retry.addEventListener("click", () => run(null));
  return el("div", { class: "failure-panel" }, message, el("div", { class: "row-actions" }, retry), problem, instead);
}

/**
 * Why a list row failed, folded under "Why it failed" in its status cell: a message can name dozens
 * of columns, which under the row's name made a screen-long wall on a phone.
 * @param {Node} content the message, with what can be done about it
 */
export function failureDetails(content) {
  return el("details", { class: "failure-details" }, el("summary", {}, "Why it failed"), content);
}

/** A failure's message in a panel: wrapped anywhere, scrolled past a few lines. @param {string} message */
export const failureMessage = (message) => el("p", { class: "failure-message" }, message);
