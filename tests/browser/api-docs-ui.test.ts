/**
 * `/docs` in a real browser (Debian's Chromium): the OpenAPI document as a styled page that
 * downloads nothing from elsewhere, every operation listed with its own statuses, readable on a
 * laptop and on a phone. Screenshots: tests/artifacts/ui-api-docs.png, ui-api-docs-phone.png.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startTestApi, type TestApi } from "../../packages/api/src/test-app.ts";
import { launchChromium } from "./support/chromium.ts";
import { ARTIFACTS, PHONE_VIEWPORT } from "./support/ui-session.ts";

let api: TestApi;
let browser: Browser;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
  [api, browser] = await Promise.all([startTestApi(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("request", (request) => requested.push(request.url()));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe("/docs", () => {
  test("is a styled page of every operation, grouped by resource, that loads nothing from elsewhere", async () => {
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    await page.goto(`${api.url}/docs`);
    const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    await expect.poll(() => page.locator("article.op").count()).toBe(operations);
    // Its style applied (no CDN, no script): method badges coloured, the table of contents beside the text.
    const badge = page.locator('article.op[id="post_v1_predictions"] .method');
    expect(await badge.textContent()).toBe("POST");
    expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(31, 138, 76)");
    const nav = await page.locator("nav").boundingBox();
    const main = await page.locator("main").boundingBox();
    expect(nav!.x + nav!.width).toBeLessThanOrEqual(main!.x + 1);
    for (const heading of ["Predictions", "Models", "Outcomes", "Insights", "Schemas"])
      await expect.poll(() => page.locator("h2", { hasText: heading }).count()).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(api.url))).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}ui-api-docs.png`, fullPage: false });
  });

  test("lists a route's own statuses and codes, not one list for every route", async () => {
    const errorsRoute = page.locator('article.op[id="get_v1_predictions_id_errors"]');
    expect(await errorsRoute.locator(".responses tr", { hasText: "404" }).textContent()).toContain(
      "error_report.not_found",
    );
    const limits = page.locator('article.op[id="get_v1_limits"]');
    expect(await limits.locator(".status").allTextContents()).toEqual(["200", "429"]);
    expect(await limits.locator(".lock").count()).toBe(0);
    expect(await page.locator('article.op[id="get_v1_predictions_id"] .status').allTextContents()).not.toContain("413");
  });

  test("reads on a phone without scrolling sideways", async () => {
    const phone = await browser.newPage({ viewport: PHONE_VIEWPORT });
    await phone.goto(`${api.url}/docs#get_v1_predictions_id_errors`);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await phone.screenshot({ path: `${ARTIFACTS}ui-api-docs-phone.png` });
    await phone.close();
  });
});
