import { html } from "hono/html";
import { fileDropZone, uploadProgress } from "./file-fields.ts";
import type { Html } from "./layout.ts";

/**
 * The Performance card of a prediction's page (filled by assets/outcomes.js once it is COMPLETED):
 * realized quality, the challenger against the champion when there is one, and the file's drift.
 */
export function performanceSection(): Html {
  return html`<section id="performance-card" class="card" hidden>
  <h2>Performance</h2>
  <p class="muted">How the probabilities matched what happened: outcomes you upload on the <a href="/outcomes">Outcomes</a> page, observed after this prediction.</p>
  <div id="performance"></div>
  <div id="challenger" hidden></div>
  ${driftTable("How this file differs from the model's training data: the population stability index (PSI) of each input column. Above 0.2 the column has shifted; the scores may be less reliable.")}
</section>`;
}

/** The Performance card of a model's page: realized quality over every file it scored, and the drift of its latest files. */
export function modelPerformanceSection(): Html {
  return html`<section id="performance-card" class="card" hidden>
  <h2>Performance</h2>
  <p class="muted">How this model's probabilities matched what happened, over every file it scored whose customers have outcomes (<a href="/outcomes">Outcomes</a>).</p>
  <div id="performance"></div>
  <div id="drift" hidden>
    <h3>Drift of its latest files</h3>
    <p class="muted">Input columns with a population stability index above 0.2 against the training data.</p>
    <table id="drift-table" class="table compact">
      <thead><tr><th scope="col">File</th><th scope="col">Scored</th><th scope="col">Rows</th><th scope="col">Largest PSI</th><th scope="col">Shifted columns</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
</section>`;
}

/** A prediction's drift: one row per input column (filled by assets/outcomes.js). */
function driftTable(note: string): Html {
  return html`<div id="drift" hidden>
    <h3>Drift</h3>
    <p id="drift-note" class="muted">${note}</p>
    <table id="drift-table" class="table compact">
      <thead><tr><th scope="col">Column</th><th scope="col">PSI</th><th scope="col">Unseen values</th><th scope="col">Shifted</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>`;
}

/** The warning at the top of a prediction's page when some of its columns drifted (PSI > 0.2). */
export function driftFlag(): Html {
  return html`<p id="drift-flag" class="flash warning" role="status" hidden></p>`;
}

/** The upload form's optional second model: it scores every row too, for comparison. */
export function challengerField(): Html {
  return html`<div class="field">
      <label for="challenger">Challenger <span class="optional">optional</span></label>
      <select id="challenger" name="challenger" disabled><option value="">None</option></select>
      <p class="hint">A second model that scores every row too (<code>challenger_probability</code>); the first one decides risk and reasons. Compare them once outcomes arrive.</p>
    </div>`;
}

/** The trend chart on the predictions page: the account over the last 30 days. */
export function trendSection(): Html {
  return html`<section id="trend-card" class="card" hidden>
  <h2>Last 30 days</h2>
  <div id="trend-chart"></div>
</section>`;
}

/** Upload outcomes: what happened to customers, to measure predictions against. */
export function outcomesPage(): Html {
  return html`<section class="card">
  <h1>Outcomes</h1>
  <p class="muted">A CSV with a header row and one row per customer: who they are, whether they churned, and optionally when that was known (today when absent; never a future date). A later outcome for a customer replaces an earlier one. Predictions are measured against outcomes observed after they were made.</p>
  <dl id="outcome-columns" class="outcome-columns"></dl>
  <p id="outcome-counts" class="muted"></p>
  <form id="outcomes-form" novalidate>
    ${fileDropZone()}
    ${uploadProgress()}
    <p id="upload-error" class="form-error" role="alert"></p>
    <button id="upload-button" type="submit" class="button primary" disabled>Upload outcomes</button>
  </form>
  <div id="outcomes-result" role="status"></div>
</section>`;
}
