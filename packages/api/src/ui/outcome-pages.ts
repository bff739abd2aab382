import { html } from "hono/html";
import type { Html } from "./layout.ts";

/** The Performance card of a prediction's page (filled by assets/outcomes.js once it is COMPLETED). */
export function performanceSection(): Html {
  return html`<section id="performance-card" class="card" hidden>
  <h2>Performance</h2>
  <p class="muted">How the probabilities matched what happened: outcomes you upload on the <a href="/outcomes">Outcomes</a> page, observed after this prediction.</p>
  <div id="performance"></div>
</section>`;
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
  <p class="muted">A CSV with a header row and one row per customer: <code>customer_id,churned</code> (yes/no, 1/0 or true/false) and optionally <code>observed_at</code> (a date; today when absent). A later outcome for a customer replaces an earlier one. Predictions are measured against outcomes observed after they were made.</p>
  <p id="outcome-counts" class="muted"></p>
  <form id="outcomes-form" novalidate>
    <label for="outcomes-file">Outcome file</label>
    <input id="outcomes-file" name="file" type="file" accept=".csv,text/csv" required>
    <p id="outcomes-error" class="form-error" role="alert"></p>
    <button id="outcomes-button" type="submit" class="button primary">Upload outcomes</button>
  </form>
  <div id="outcomes-result" role="status"></div>
</section>`;
}
