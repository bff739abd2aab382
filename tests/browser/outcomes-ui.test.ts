/**
 * Closing the loop in a real browser (Chromium) against `retainwise local`: a scored prediction,
 * its outcomes uploaded through the Outcomes page, then the prediction's Performance card and the
 * trend chart on the predictions page.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { readTelco, selectColumns, toCsv } from "../support/telco.ts";
import { launchChromium } from "./support/chromium.ts";
import { startLocalServer, type LocalServer } from "./support/local-server.ts";

const ROWS = 1000;
const JOB_TIMEOUT_MS = 120_000;
const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;

let db: TestDatabase;
let server: LocalServer;
let browser: Browser;
let page: Page;
let dir: string;
let predictionId: string;

const at = (path: string) => `${server.url}${path}`;
const api = (path: string, init: RequestInit = {}) =>
  fetch(at(path), { ...init, headers: { Authorization: `Bearer ${server.apiKey}`, ...(init.headers ?? {}) } });

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "rw-outcomes-ui-"));
  [server, browser] = await Promise.all([startLocalServer({ databaseUrl: db.url }), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript((key) => sessionStorage.setItem("retainwise.apiKey", key), server.apiKey);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("closing the loop in the web UI", () => {
  test("outcomes uploaded on the Outcomes page are counted and matched to the earlier prediction", async () => {
    const telco = readTelco();
    const rows = telco.rows.slice(0, ROWS);
    const unlabeled = selectColumns(
      { headers: telco.headers, rows },
      telco.headers.filter((h) => h !== "Churn"),
    );
    const created = (await (
      await api("/v1/predictions", {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: toCsv(unlabeled.headers, unlabeled.rows),
      })
    ).json()) as { id: string };
    predictionId = created.id;
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    while (
      ((await (await api(`/v1/predictions/${predictionId}`)).json()) as { status: string }).status !== "COMPLETED" &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 250));

    const file = join(dir, "outcomes.csv");
    const id = telco.headers.indexOf("customerID");
    const churn = telco.headers.indexOf("Churn");
    await writeFile(
      file,
      ["customer_id,churned", ...rows.map((r) => `${r[id]},${r[churn]}`), "LOST-1,perhaps"].join("\n") + "\n",
    );
    await page.goto(at("/outcomes"));
    await page
      .locator("#outcome-counts")
      .filter({ hasText: /0 customers with an outcome/ })
      .waitFor();
    // The page names the columns it takes as the server matches them, the built-in model's label among them.
    await expect(page.locator("#outcome-columns").textContent()).resolves.toContain(
      'Churn ("Yes" = churned, as telco-v1 learned it)',
    );
    await page.locator("#file").setInputFiles(file);
    await page.getByRole("button", { name: "Upload outcomes" }).click();
    await expect(page.locator("#outcomes-summary").textContent()).resolves.toBe(
      `Read 1,001 rows: 1,000 accepted, 1 rejected, 1,000 matched to earlier predictions.`,
    );
    await expect(page.locator("#outcomes-matched").textContent()).resolves.toBe(
      "Read customer_id as the customer id and churned as churned.",
    );
    await expect(page.locator("#outcomes-result li").textContent()).resolves.toContain('Row 1001: churned "perhaps"');
    await page
      .locator("#outcome-counts")
      .filter({ hasText: /1,000 customers with an outcome/ })
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}ui-outcomes.png`, fullPage: true });
  });

  test("the prediction's Performance tab shows the realized AUC with its interval, lift and the calibration chart", async () => {
    const performance = (await (await api(`/v1/predictions/${predictionId}/performance`)).json()) as {
      auc: { value: number };
    };
    await page.goto(at(`/predictions/${predictionId}`));
    await page.getByRole("tab", { name: "Performance" }).click();
    await page.locator("#performance-stats").waitFor();
    expect(new URL(page.url()).hash).toBe("#performance");
    await expect(page.locator("#overview-panel").isHidden()).resolves.toBe(true);
    const stats = (await page.locator("#performance-stats .stat").allTextContents()).join(" | ");
    // The value alone on its line, its interval under it; every quality figure to three decimals.
    expect(stats).toContain(`Realized AUC${performance.auc.value.toFixed(3)}95% interval `);
    expect(stats).toMatch(/Brier score0\.\d{3}Mean squared error/);
    expect(stats).toMatch(/Churned in top 10%\d+\.\d%\d+\.\d× the churn rate of everyone \(lift\)/);
    const stat = page.locator("#performance-stats .stat .stat-value").nth(1);
    // The AUC card's value fits on one line (its interval once wrapped it onto four).
    await expect(
      stat.evaluate((node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return range.getClientRects().length;
      }),
    ).resolves.toBe(1);
    await expect(page.locator("#performance svg circle[data-decile]").count()).resolves.toBe(10);
    await page.screenshot({ path: `${ARTIFACTS}ui-performance.png`, fullPage: true });
  });

  test("the predictions page shows the trend chart with today's upload and realized AUC", async () => {
    await page.goto(at("/predictions"));
    await page.locator("#trend-chart svg").waitFor();
    const uploads = await page
      .locator("#trend-chart rect[data-uploads]")
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("data-uploads"))));
    expect(uploads.reduce((a, b) => a + b, 0)).toBe(1);
    await expect(page.locator('#trend-chart [data-series="auc"]').count()).resolves.toBe(1);
  });
});
