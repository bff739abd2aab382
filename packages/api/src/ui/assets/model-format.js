// @ts-check
// How a model reads on the pages: its name, the default and built-in marks, training progress,
// held-out numbers. One place, so the list, the model page and the selectors agree.
import { el } from "./format.js";

/** "bank-v2", the name the prediction output's `model_version` uses (the API's `label`). @param {any} m */
export function modelName(m) {
  if (typeof m.label === "string") return m.label;
  if (m.version == null) return String(m.name);
  const version = typeof m.version === "number" ? `v${m.version}` : String(m.version);
  return String(m.name).endsWith(`-${version}`) ? String(m.name) : `${m.name}-${version}`;
}

/** @param {any} m */
export const isBuiltIn = (m) => Boolean(m.builtIn);

/** @param {any} m */
export const isDefault = (m) => Boolean(m.isDefault);

/** The small marks after a model's name. @param {any} m */
export function modelMarks(m) {
  const marks = [];
  if (isDefault(m)) marks.push(el("span", { class: "badge mark-default" }, "Default"));
  if (isBuiltIn(m)) marks.push(el("span", { class: "badge mark-builtin" }, "Built-in"));
  return marks;
}

/** "Fitting terms · 40%" while training; "Waiting for a worker" while queued. @param {any} m */
export function trainingText(m) {
  if (m.status === "QUEUED") return "Waiting for a worker";
  const phase = m.progress?.phase ? phaseLabel(m.progress.phase) : "Training";
  return m.progress?.percent == null ? phase : `${phase} · ${Math.floor(m.progress.percent)}%`;
}

/** A progress bar named after the model. @param {any} m */
export function trainingBar(m) {
  const bar = /** @type {HTMLProgressElement} */ (
    el("progress", { max: "100", "aria-label": `Training progress of ${modelName(m)}` })
  );
  if (m.progress?.percent != null) bar.value = m.progress.percent;
  return bar;
}

/** `reading_rows` -> "Reading rows". @param {string} phase */
const phaseLabel = (phase) => {
  const words = phase.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** @param {any} m */
export const heldOut = (m) => m.metrics?.heldOut ?? m.card?.metrics?.heldOut ?? null;
