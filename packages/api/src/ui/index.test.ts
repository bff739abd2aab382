import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { silentLogger } from "@retainwise/core/log";
import { Hono } from "hono";
import type { ApiEnv } from "../env.ts";
import { errorHandler } from "../errors.ts";
import { uiRoutes } from "./index.ts";

const ui = new Hono<ApiEnv>().onError(errorHandler(silentLogger)).route("/", uiRoutes());

async function assetUrl(name: string): Promise<string> {
  const page = await (await ui.request("/sign-in")).text();
  const base = /href="(\/ui\/assets\/[^/]+)\/styles\.css"/.exec(page)?.[1];
  if (!base) throw new Error("page links no stylesheet");
  return `${base}/${name}`;
}

describe("uiRoutes", () => {
  test("every page is an HTML shell naming its page script, with a strict content security policy", async () => {
    for (const [path, page] of [
      ["/sign-in", "sign-in"],
      ["/upload", "upload"],
      ["/predictions", "predictions"],
      ["/predictions/abc", "prediction"],
      ["/models", "models"],
      ["/models/new", "train"],
      ["/models/abc", "model"],
    ] as const) {
      const response = await ui.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
      expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
      const body = await response.text();
      expect(body).toContain(`data-page="${page}"`);
      expect(body).toMatch(/<script type="module" src="\/ui\/assets\/[\w-]+\/app\.js">/);
    }
  });

  test("the navigation links the Models page and marks it current on a model's pages", async () => {
    for (const path of ["/models", "/models/new", "/models/abc"]) {
      const body = await (await ui.request(path)).text();
      expect(body).toMatch(/<a href="\/models" aria-current="(page|true)">Models<\/a>/);
      expect(body).toContain('<a href="/predictions" aria-current="false">');
    }
    expect(await (await ui.request("/upload")).text()).toContain('<a href="/models" aria-current="false">Models</a>');
  });

  test("the root redirects to the predictions list", async () => {
    const response = await ui.request("/");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/predictions");
  });

  test("assets are served with their content type and cached for good under the current version", async () => {
    const response = await ui.request(await assetUrl("app.js"));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toContain("immutable");
    expect(await response.text()).toContain("import");
    const css = await ui.request(await assetUrl("styles.css"));
    expect(css.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
  });

  test("an asset asked for under an old version is served but not cached", async () => {
    const response = await ui.request("/ui/assets/old-version/app.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-cache");
  });

  test("a matching ETag answers 304 with no body", async () => {
    const url = await assetUrl("styles.css");
    const etag = (await ui.request(url)).headers.get("ETag");
    const again = await ui.request(url, { headers: { "If-None-Match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  test("an unknown asset is a JSON 404", async () => {
    const response = await ui.request(await assetUrl("nope.js"));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { code: "asset.not_found", kind: "not_found", message: "No such UI asset." },
    });
  });

  test("a missing assets folder fails at start-up naming the folder", () => {
    expect(() => uiRoutes({ assetsDir: "/nonexistent/ui-assets" })).toThrow(/\/nonexistent\/ui-assets/);
  });

  test("a changed asset changes the version in the page's URLs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ui-assets-"));
    try {
      await writeFile(join(dir, "app.js"), "export {};");
      const before = await (await uiRoutes({ assetsDir: dir }).request("/sign-in")).text();
      await writeFile(join(dir, "app.js"), "export const changed = 1;");
      const after = await (await uiRoutes({ assetsDir: dir }).request("/sign-in")).text();
      const version = (html: string) => /\/ui\/assets\/([\w-]+)\//.exec(html)?.[1];
      expect(version(before)).toBeTruthy();
      expect(version(after)).not.toBe(version(before));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
