import { html } from "hono/html";
import type { Html } from "./layout.ts";
import { fileDropZone, uploadProgress } from "./file-fields.ts";
import {
  challengerField,
  driftFlag,
  modelPerformanceSection,
  performanceSection,
  trendSection,
} from "./outcome-pages.ts";

/**
 * Static structure of each page. Element ids are the contract with the page scripts in
 * `assets/` (and the browser tests); text a script fills in starts empty or as a placeholder.
 */
export function signInPage(): Html {
  return html`<section class="card narrow">
  <h1>Sign in</h1>
  <p id="signed-out" class="flash" role="status" hidden>You have signed out.</p>
  <p class="muted">Paste an API key. It is kept in this browser tab only and forgotten when you close it.</p>
  <form id="sign-in-form" novalidate>
    <label for="api-key">API key</label>
    <input id="api-key" name="apiKey" type="password" autocomplete="off" spellcheck="false" required>
    <p class="hint">The key <code>npm run local</code> printed when it started (<code>rw_…</code>), or a new one from <code>retainwise keys create --account NAME</code>.</p>
    <p id="sign-in-error" class="form-error" role="alert"></p>
    <button type="submit" class="button primary">Sign in</button>
  </form>
</section>`;
}

export function uploadPage(): Html {
  return html`<section class="card">
  <h1>Upload customers</h1>
  <p class="muted">A CSV with one customer per row and a header row. Every row is scored with the model you choose.</p>
  <form id="upload-form" novalidate>
    <div class="field">
      <label for="model">Model</label>
      <select id="model" name="model" disabled><option value="">Loading models…</option></select>
      <p class="hint"><a href="/models">Manage models</a> · train one on your own labeled customers.</p>
    </div>
    ${challengerField()}
    ${fileDropZone()}
    ${uploadProgress()}
    <p id="upload-error" class="form-error" role="alert"></p>
    <div id="upload-instead"></div>
    <button id="upload-button" type="submit" class="button primary" disabled>Upload and score</button>
  </form>
</section>`;
}

export function modelsPage(): Html {
  return html`<div class="page-head">
  <h1>Models</h1>
  <a class="button primary" href="/models/new">Train a model</a>
</div>
<p class="muted lead">A model learns from customers whose outcome you know. The default model scores uploads unless you pick another.</p>
${liveList({ id: "models", path: "/models", caption: "Your models and the built-in one, newest first", columns: ["Model", "Trained", "Status", "Held-out AUC", "Brier score"] })}`;
}

export function trainPage(): Html {
  return html`<p><a href="/models" class="back">&larr; All models</a></p>
<section class="card">
  <h1>Train a model</h1>
  <p class="muted">A CSV of past customers, one per row, with a column saying whether each one churned. RetainWise picks the useful columns, trains on most rows and measures the model on the rest.</p>
  <form id="train-form" novalidate>
    ${fileDropZone()}
    <div class="field-grid">
      <div class="field">
        <label for="label-column">Churn column</label>
        <select id="label-column" name="label" disabled><option value="">Choose a file first</option></select>
        <p class="hint">The column that says whether the customer left.</p>
      </div>
      <div class="field">
        <label for="positive">Value meaning “churned” <span class="optional">optional</span></label>
        <input id="positive" name="positive" type="text" list="positive-values" autocomplete="off" spellcheck="false">
        <datalist id="positive-values"></datalist>
        <p class="hint" id="positive-hint">Left blank, the value that reads as churned (Yes, 1, true, Churned, Attrited Customer, Exited…) counts as churned.</p>
      </div>
      <div class="field">
        <label for="model-name">Model name</label>
        <input id="model-name" name="name" type="text" autocomplete="off" spellcheck="false" maxlength="64" required>
        <p class="hint">Training again under the same name makes a new version (bank-v1, bank-v2…).</p>
      </div>
    </div>
    ${uploadProgress()}
    <p id="upload-error" class="form-error" role="alert"></p>
    <button id="train-button" type="submit" class="button primary" disabled>Upload and train</button>
  </form>
</section>`;
}

export function modelPage(): Html {
  return html`<p><a href="/models" class="back">&larr; All models</a></p>
<div class="page-head">
  <div>
    <h1 id="model-title">Model</h1>
    <p id="model-subtitle" class="muted subtitle"></p>
  </div>
  <div class="actions" id="model-actions"></div>
</div>
<p id="flash" class="flash" role="status" hidden></p>
<p id="detail-error" class="form-error" role="alert"></p>
<section id="status-panel" class="card"></section>
${tabs(
  "model",
  html`<section id="model-stats" class="stats" aria-label="Held-out quality" hidden></section>
<section id="model-charts-card" class="card" hidden>
  <h2>How good it is, and what drives churn</h2>
  <div id="model-charts"></div>
  <p id="model-charts-legend" class="figure-legend muted">Calibration: each dot is a group of held-out customers, the probability the model gave them against the share who churned; on the diagonal the probabilities are right. What drives churn: each bar is a column, or a pair of columns (A × B), and how far it can move the odds of churn: ×4.0 means a customer at its riskiest value has 4 times the odds of one at its safest.</p>
</section>
<section id="inputs-card" class="card flush" hidden>
  <h2 class="card-title">Inputs</h2>
  <p class="card-text muted">Columns the model reads when it scores a file.</p>
  <table id="inputs" class="table compact">
    <thead><tr><th scope="col">Column</th><th scope="col">Kind</th><th scope="col">Why</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section id="actionable-card" class="card" hidden>
  <h2>What would lower the risk</h2>
  <p class="muted">Columns your team can change for a customer, such as a contract or a payment method. Each scored row's <code>retention_action</code> then names the one change to one of them that lowers its churn probability most.</p>
  <form id="actionable-form">
    <label for="actionable">Actionable columns</label>
    <select id="actionable" name="actionable" multiple size="6"></select>
    <button type="submit" class="button small">Save</button>
    <span id="actionable-saved" class="muted" role="status"></span>
  </form>
</section>
<section id="excluded-card" class="card flush" hidden>
  <h2 class="card-title">Columns left out</h2>
  <p class="card-text muted">Columns of the training file the model does not use, and why.</p>
  <table id="excluded" class="table compact">
    <thead><tr><th scope="col">Column</th><th scope="col">Kind</th><th scope="col">Why</th></tr></thead>
    <tbody></tbody>
  </table>
</section>`,
  modelPerformanceSection(),
)}
${confirmDialog()}`;
}

export function predictionsPage(): Html {
  return html`<div class="page-head">
  <h1>Predictions</h1>
  <a class="button primary" href="/upload">New upload</a>
</div>
${liveList({ id: "predictions", path: "/predictions", caption: "Your predictions, newest first", columns: ["File", "Uploaded", "Status", "Progress"] })}
${trendSection()}`;
}

export function predictionPage(): Html {
  return html`<p><a href="/predictions" class="back">&larr; All predictions</a></p>
<div class="page-head">
  <h1 id="prediction-title">Prediction</h1>
  <div class="actions" id="prediction-actions"></div>
</div>
<p id="detail-error" class="form-error" role="alert"></p>
<section id="status-panel" class="card"></section>
${driftFlag()}
${tabs(
  "prediction",
  html`<section id="summary" class="stats" aria-label="Summary" hidden></section>
<section id="chart-card" class="card" hidden>
  <h2>Risk distribution</h2>
  <div id="chart"></div>
  <p id="risk-legend" class="figure-legend muted"></p>
</section>
<section id="top-risks-card" class="card flush" hidden>
  <h2 class="card-title">Top 20 highest-risk customers</h2>
  <p id="top-risks-legend" class="card-text figure-legend muted">Each reason ends with how far it moves the customer's churn log-odds: (+2.15) raises the risk, (−0.73) lowers it; with the model's baseline they add up to the probability.</p>
  <table id="top-risks" class="table responsive">
    <thead><tr><th scope="col">Customer</th><th scope="col">Churn probability</th><th scope="col">Risk</th><th scope="col">Why</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section id="row-errors-card" class="card flush" hidden>
  <h2 class="card-title">Rows that could not be scored</h2>
  <p id="row-errors-note" class="card-note muted"></p>
  <table id="row-errors" class="table responsive">
    <thead><tr><th scope="col">Row</th><th scope="col">Customer</th><th scope="col">Problem</th></tr></thead>
    <tbody></tbody>
  </table>
</section>`,
  performanceSection(),
)}
${confirmDialog()}`;
}

/**
 * Overview and Performance tabs of a prediction's or a model's page (assets/tabs.js switches them;
 * `#performance` in the URL opens the second). The Performance panel says what it waits for until
 * its card is filled.
 */
function tabs(of: "prediction" | "model", overview: Html, performance: Html): Html {
  const pending =
    of === "prediction"
      ? "Performance and drift are measured once the prediction is completed."
      : "Performance is measured once the model is ready and has scored files.";
  return html`<div class="tabs" role="tablist" aria-label="Sections">
  <button type="button" role="tab" id="overview-tab" aria-controls="overview-panel" aria-selected="true">Overview</button>
  <button type="button" role="tab" id="performance-tab" aria-controls="performance-panel" aria-selected="false" tabindex="-1">Performance</button>
</div>
<div id="overview-panel" role="tabpanel" aria-labelledby="overview-tab">
${overview}
</div>
<div id="performance-panel" role="tabpanel" aria-labelledby="performance-tab" hidden>
<p id="performance-pending" class="muted">${pending}</p>
${performance}
</div>`;
}

/**
 * A list page's table, messages and pager, as `live-list.js` expects them; an actions column is
 * added after `columns`.
 */
function liveList({
  id,
  path,
  caption,
  columns,
}: {
  id: string;
  path: string;
  caption: string;
  columns: string[];
}): Html {
  const headers = columns.map((name) => html`<th scope="col">${name}</th>`);
  return html`<p id="flash" class="flash" role="status" hidden></p>
<p id="list-error" class="form-error" role="alert"></p>
<div class="card flush">
  <table id="${id}" class="table responsive live-list">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr>${headers}<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody><tr class="placeholder"><td colspan="${columns.length + 1}">Loading…</td></tr></tbody>
  </table>
</div>
<nav class="pager" aria-label="Pages">
  <a id="newest-page" class="button" href="${path}" hidden>Newest</a>
  <a id="older-page" class="button" href="#" hidden>Older</a>
</nav>
${confirmDialog()}`;
}

/** The one confirmation for delete/cancel: a native modal dialog (focus trap and Esc for free). */
function confirmDialog(): Html {
  return html`<dialog id="confirm" aria-labelledby="confirm-title">
  <form method="dialog">
    <h2 id="confirm-title">Delete prediction?</h2>
    <p id="confirm-text"></p>
    <div class="dialog-actions">
      <button value="cancel" class="button" autofocus>Keep it</button>
      <button value="confirm" class="button danger" id="confirm-yes">Delete</button>
    </div>
  </form>
</dialog>`;
}
