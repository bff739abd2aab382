import { html } from "hono/html";
import type { Html } from "./layout.ts";

/** The file picker of the upload, training and outcome forms (same ids: `file-picker.js` drives them all). */
export function fileDropZone(): Html {
  return html`<div id="drop-zone" class="drop-zone">
      <svg class="drop-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 16V4m0 0-4 4m4-4 4 4M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3"/></svg>
      <p>Drag a CSV file here, or</p>
      <input id="file" name="file" type="file" accept=".csv,text/csv" class="visually-hidden">
      <label for="file" class="button">Choose a file</label>
      <p id="size-cap" class="hint"></p>
    </div>
    <p id="chosen-file" class="chosen-file" hidden></p>`;
}

/** The upload progress bar `sendWithProgress` (file-picker.js) fills. */
export function uploadProgress(): Html {
  return html`<div id="upload-progress" class="progress-block" hidden>
      <label for="upload-bar">Uploading <span id="upload-percent">0%</span></label>
      <progress id="upload-bar" max="100" value="0"></progress>
    </div>`;
}
