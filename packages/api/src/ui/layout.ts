import { html } from "hono/html";

/** What `html` templates produce (a string marked as escaped, possibly still resolving). */
export type Html = ReturnType<typeof html>;

export type PageName = "sign-in" | "upload" | "predictions" | "prediction" | "models" | "model" | "train";

export interface PageOptions {
  page: PageName;
  title: string;
  /** URL prefix of the versioned assets, e.g. `/ui/assets/3f9a…`. */
  assetBase: string;
  body: Html;
}

/**
 * The shell every page shares. The server renders the static structure (forms, headings, empty
 * tables) so the page paints before any script runs; `app.js` then fills in data fetched from
 * `/v1` with the API key held in sessionStorage (the server never sees the key on page loads).
 */
export function layout({ page, title, assetBase, body }: PageOptions) {
  const signedIn = page !== "sign-in";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · RetainWise</title>
<link rel="stylesheet" href="${assetBase}/styles.css">
<link rel="icon" href="${assetBase}/favicon.svg" type="image/svg+xml">
<script type="module" src="${assetBase}/app.js"></script>
</head>
<body data-page="${page}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/predictions"><span class="brand-mark" aria-hidden="true"></span>RetainWise</a>
  ${signedIn ? navigation(page) : ""}
</header>
<main id="main" tabindex="-1">
${body}
</main>
<p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>
</body>
</html>`;
}

/** The model pages live under Models in the navigation. */
const SECTION: Partial<Record<PageName, PageName>> = { prediction: "predictions", model: "models", train: "models" };

function navigation(page: PageName) {
  const current = (name: PageName) => (name === page ? "page" : SECTION[page] === name ? "true" : "false");
  return html`<nav aria-label="Main">
    <a href="/predictions" aria-current="${current("predictions")}">Predictions</a>
    <a href="/upload" aria-current="${current("upload")}">Upload</a>
    <a href="/models" aria-current="${current("models")}">Models</a>
    <button type="button" class="link-button" id="sign-out">Sign out</button>
  </nav>`;
}
