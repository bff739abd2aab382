// @ts-check
import { api } from "./api.js";
import { el } from "./format.js";

/**
 * The model's actionable columns (PUT /v1/models/:id/settings): a multi-select of the card's
 * inputs; each scored row's `retention_action` then names the one change to one of them that
 * lowers its churn risk most.
 * @param {any} m @param {any} card @param {(e: Error) => void} showError
 */
export async function renderActionable(m, card, showError) {
  const section = /** @type {HTMLElement} */ (document.getElementById("actionable-card"));
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("actionable"));
  const form = /** @type {HTMLFormElement} */ (document.getElementById("actionable-form"));
  const saved = /** @type {HTMLElement} */ (document.getElementById("actionable-saved"));
  const inputs = /** @type {any[]} */ (card?.inputs ?? []);
  section.hidden = inputs.length === 0 || !("format" in (card ?? {}));
  if (section.hidden) return;
  const path = `/models/${encodeURIComponent(m.id)}/settings`;
  const settings = await api(path).catch((/** @type {Error} */ e) => {
    showError(e);
    return { actionable: [] };
  });
  const chosen = new Set(settings.actionable);
  select.replaceChildren(
    ...inputs.map((input) =>
      el(
        "option",
        { value: input.name, selected: chosen.has(input.name) },
        input.label && input.label !== input.name ? `${input.label} (${input.name})` : input.name,
      ),
    ),
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    const actionable = [...select.selectedOptions].map((o) => o.value);
    try {
      const result = await api(path, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ actionable }),
      });
      saved.textContent =
        result.actionable.length === 0 ? "Saved: no actionable columns." : `Saved: ${result.actionable.join(", ")}.`;
    } catch (e) {
      showError(/** @type {Error} */ (e));
    }
  };
}
