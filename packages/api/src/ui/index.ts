import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import type { Context } from "hono";
import { RetainwiseError } from "@retainwise/core/errors";
import { loadAssets } from "./assets.ts";
import type { Asset } from "./assets.ts";
import { outsideTheApi } from "../openapi/route-docs.ts";
import { layout } from "./layout.ts";
import type { Html, PageName } from "./layout.ts";
import { outcomesPage } from "./outcome-pages.ts";
import { modelPage, modelsPage, predictionPage, predictionsPage, signInPage, trainPage, uploadPage } from "./pages.ts";

export interface UiOptions {
  /**
   * Folder holding the page scripts and styles. Defaults to `assets/` beside this module, which in
   * the esbuild bundle means `assets/` beside the bundle file (the build copies the folder there).
   */
  assetsDir?: string;
}

/** Pages are HTML shells; data comes from `/v1` with the key the browser holds. */
const PAGE_SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

/** Versioned asset URLs can be cached for good: a new build changes the version. */
const ASSET_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/**
 * The web UI as a Hono sub-app, mounted at `/` by the API: sign-in, upload, the predictions list and
 * a prediction's page, the models list, a model's page and the training form, plus their scripts and styles under `/ui/assets/<version>/`.
 *
 * @example
 *   app.route("/", uiRoutes());
 */
export function uiRoutes(options: UiOptions = {}): Hono {
  const assets = loadAssets(options.assetsDir ?? fileURLToPath(new URL("./assets/", import.meta.url)));
  const version = assetsVersion(assets);
  const assetBase = `/ui/assets/${version}`;
  const page = (name: PageName, title: string, body: () => Html) => (c: Context) => {
    c.header("Cache-Control", "no-cache");
    for (const [header, value] of Object.entries(PAGE_SECURITY_HEADERS)) c.header(header, value);
    return c.html(layout({ page: name, title, assetBase, body: body() }));
  };

  const ui = new Hono();
  ui.get("/", (c) => c.redirect("/predictions"));
  ui.get("/sign-in", page("sign-in", "Sign in", signInPage));
  ui.get("/upload", page("upload", "Upload", uploadPage));
  ui.get("/predictions", page("predictions", "Predictions", predictionsPage));
  ui.get("/predictions/:id", page("prediction", "Prediction", predictionPage));
  ui.get("/models", page("models", "Models", modelsPage));
  ui.get("/models/new", page("train", "Train a model", trainPage));
  ui.get("/models/:id", page("model", "Model", modelPage));
  ui.get("/outcomes", page("outcomes", "Outcomes", outcomesPage));
  ui.get("/ui/assets/:version/:name", (c) =>
    serveAsset(c, assets.get(c.req.param("name")), c.req.param("version") === version),
  );
  // Browsers ask for /favicon.ico on pages without an icon link (/docs, JSON in a tab): the same icon, not a 404.
  ui.get("/favicon.ico", (c) => serveAsset(c, assets.get("favicon.svg"), false));
  // The web UI's pages and assets, not the API: the OpenAPI document leaves them out on purpose.
  for (const route of ui.routes) outsideTheApi("the web UI", route.handler);
  return ui;
}

function serveAsset(c: Context, asset: Asset | undefined, current: boolean) {
  if (!asset) throw new RetainwiseError("asset.not_found", "No such UI asset.");
  // An old page asking for an old version gets today's file, uncached, rather than a broken page.
  c.header("Cache-Control", current ? `public, max-age=${ASSET_MAX_AGE_SECONDS}, immutable` : "no-cache");
  c.header("ETag", asset.etag);
  c.header("X-Content-Type-Options", "nosniff");
  if (c.req.header("If-None-Match") === asset.etag) return c.body(null, 304);
  c.header("Content-Type", asset.contentType);
  return c.body(asset.body);
}

function assetsVersion(assets: Map<string, Asset>): string {
  const hash = createHash("sha256");
  for (const [name, asset] of [...assets].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update(asset.etag);
  return hash.digest("base64url").slice(0, 12);
}
