import { html } from "hono/html";
import type { Html } from "./layout.ts";

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
    <p class="hint">Create one with <code>retainwise keys create --account NAME</code>.</p>
    <p id="sign-in-error" class="form-error" role="alert"></p>
    <button type="submit" class="button primary">Sign in</button>
  </form>
</section>`;
}

export function uploadPage(): Html {
  return html`<section class="card">
  <h1>Upload customers</h1>
  <p class="muted">A CSV with one customer per row and a header row. Every row is scored with the churn model.</p>
  <form id="upload-form" novalidate>
    <div id="drop-zone" class="drop-zone">
      <svg class="drop-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 16V4m0 0-4 4m4-4 4 4M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3"/></svg>
      <p>Drag a CSV file here, or</p>
      <input id="file" name="file" type="file" accept=".csv,text/csv" class="visually-hidden">
      <label for="file" class="button">Choose a file</label>
      <p id="size-cap" class="hint"></p>
    </div>
    <p id="chosen-file" class="chosen-file" hidden></p>
    <div id="upload-progress" class="progress-block" hidden>
      <label for="upload-bar">Uploading <span id="upload-percent">0%</span></label>
      <progress id="upload-bar" max="100" value="0"></progress>
    </div>
    <p id="upload-error" class="form-error" role="alert"></p>
    <button id="upload-button" type="submit" class="button primary" disabled>Upload and score</button>
  </form>
</section>`;
}

export function predictionsPage(): Html {
  return html`<div class="page-head">
  <h1>Predictions</h1>
  <a class="button primary" href="/upload">New upload</a>
</div>
<p id="flash" class="flash" role="status" hidden></p>
<p id="list-error" class="form-error" role="alert"></p>
<div class="card flush">
  <table id="predictions" class="table responsive">
    <caption class="visually-hidden">Your predictions, newest first</caption>
    <thead><tr><th scope="col">File</th><th scope="col">Uploaded</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody><tr class="placeholder"><td colspan="5">Loading…</td></tr></tbody>
  </table>
</div>
<nav class="pager" aria-label="Pages">
  <a id="newest-page" class="button" href="/predictions" hidden>Newest</a>
  <a id="older-page" class="button" href="#" hidden>Older</a>
</nav>
${confirmDialog()}`;
}

export function predictionPage(): Html {
  return html`<p><a href="/predictions" class="back">&larr; All predictions</a></p>
<div class="page-head">
  <h1 id="prediction-title">Prediction</h1>
  <div class="actions" id="prediction-actions"></div>
</div>
<p id="detail-error" class="form-error" role="alert"></p>
<section id="status-panel" class="card"></section>
<section id="summary" class="stats" aria-label="Summary" hidden></section>
<section id="chart-card" class="card" hidden>
  <h2>Risk distribution</h2>
  <div id="chart"></div>
</section>
<section id="top-risks-card" class="card flush" hidden>
  <h2 class="card-title">Top 20 highest-risk customers</h2>
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
</section>
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
