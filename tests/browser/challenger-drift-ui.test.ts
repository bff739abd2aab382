/**
 * Champion / challenger and drift in a real browser (Chromium) against `retainwise local`: the
 * upload form with a challenger, the prediction's Performance card (the two models compared, the
 * drift table, Promote challenger), the drift warning of a shifted file, and a model's Performance card.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { BUILTIN_MODEL_ID } from "../../packages/core/src/index.ts";
import { readTelco, selectColumns, toCsv, type Table } from "../support/telco.ts";
import { openUiSession, type UiSession } from "./support/ui-session.ts";

const JOB_TIMEOUT_MS = 180_000;
const TRAINING_ROWS = 3000;
const SCORED_ROWS = 1200;

let ui: UiSession;
let page: Page;
let dir: string;
let telco: Table;
let challengerId: string;

const at = (path: string) => ui.at(path);
const api = (path: string, init: RequestInit = {}) =>
  fetch(at(path), { ...init, headers: { Authorization: `Bearer ${ui.server.apiKey}`, ...(init.headers ?? {}) } });
const postCsv = (path: string, body: string) =>
  api(path, { method: "POST", headers: { "Content-Type": "text/csv" }, body });

async function waitFor(path: string, statuses: string[]): Promise<Record<string, any>> {
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const body = (await (await api(path)).json()) as Record<string, any>;
    if (statuses.includes(body.status) || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const unlabeled = (rows: string[][]) => {
  const t = selectColumns(
    { headers: telco.headers, rows },
    telco.headers.filter((h) => h !== "Churn"),
  );
  return toCsv(t.headers, t.rows);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-challenger-ui-"));
  telco = readTelco();
  ui = await openUiSession();
  page = ui.page;
  await page.addInitScript((key) => sessionStorage.setItem("retainwise.apiKey", key), ui.server.apiKey);
  const lean = selectColumns({ headers: telco.headers, rows: telco.rows.slice(0, TRAINING_ROWS) }, [
    "customerID",
    "tenure",
    "Contract",
    "MonthlyCharges",
    "Churn",
  ]);
  const { id } = (await (await postCsv("/v1/models?label=Churn&name=lean", toCsv(lean.headers, lean.rows))).json()) as {
    id: string;
  };
  challengerId = id;
  expect((await waitFor(`/v1/models/${id}`, ["READY", "FAILED"])).status).toBe("READY");
}, 420_000);

afterAll(async () => {
  await ui?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("champion, challenger and drift in the web UI", () => {
  test("a challenger chosen on the upload form is compared with the champion on the same customers, and Promote challenger makes it the default", {
    timeout: 300_000,
  }, async () => {
    const rows = telco.rows.slice(TRAINING_ROWS, TRAINING_ROWS + SCORED_ROWS);
    const file = join(dir, "customers.csv");
    await writeFile(file, unlabeled(rows));
    await page.goto(at("/upload"));
    await page.locator(`#challenger option[value="${challengerId}"]`).waitFor({ state: "attached" });
    await page.locator("#challenger").selectOption(challengerId);
    await page.locator("#file").setInputFiles(file);
    await page.getByRole("button", { name: "Upload and score" }).click();
    await page.waitForURL(/\/predictions/);
    // The list page drops ?uploaded= from its URL once it has shown it: the newest prediction is this one.
    const { items } = (await (await api("/v1/predictions?limit=1")).json()) as { items: { id: string }[] };
    const id = items[0]!.id;
    expect(await waitFor(`/v1/predictions/${id}`, ["COMPLETED", "FAILED"])).toMatchObject({
      status: "COMPLETED",
      modelId: BUILTIN_MODEL_ID,
      challengerModelId: challengerId,
    });

    const [cid, churn] = [telco.headers.indexOf("customerID"), telco.headers.indexOf("Churn")];
    expect(
      (
        await postCsv(
          "/v1/outcomes",
          ["customer_id,churned", ...rows.map((r) => `${r[cid]},${r[churn]}`)].join("\n") + "\n",
        )
      ).status,
    ).toBe(200);
    await page.goto(at(`/predictions/${id}#performance`));
    await page.locator("#challenger-table").waitFor();
    await expect(
      page.locator("#challenger-table tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-model"))),
    ).resolves.toEqual(["champion", "challenger"]);
    await expect(page.locator('#challenger-table tr[data-model="challenger"] td').first().textContent()).resolves.toBe(
      "lean-v1 (challenger)",
    );
    await expect(page.locator("#challenger-verdict").textContent()).resolves.toMatch(
      /^Challenger AUC − champion AUC: [+−]\d\.\d{3} \(95% [+−]\d\.\d{3} to [+−]\d\.\d{3}, paired DeLong\)\. /,
    );
    await expect(page.locator("#drift-table tbody tr").count()).resolves.toBe(19);
    await ui.screenshot("challenger");

    await page.getByRole("button", { name: "Promote challenger" }).click();
    await expect(page.locator("#promote-result").filter({ hasText: /./ }).textContent()).resolves.toBe(
      "lean-v1 is now the default model: uploads without a chosen model score with it.",
    );
    expect(await (await api(`/v1/models/${challengerId}`)).json()).toMatchObject({ isDefault: true });
  });

  test("a shifted file shows a drift warning at the top of its page and flags its columns, most shifted first", {
    timeout: 240_000,
  }, async () => {
    const [contract, tenure] = [telco.headers.indexOf("Contract"), telco.headers.indexOf("tenure")];
    const shifted = telco.rows.filter((r) => r[contract] === "Month-to-month" && Number(r[tenure]) < 12);
    const { id } = (await (await postCsv(`/v1/predictions?model=${BUILTIN_MODEL_ID}`, unlabeled(shifted))).json()) as {
      id: string;
    };
    expect((await waitFor(`/v1/predictions/${id}`, ["COMPLETED", "FAILED"])).status).toBe("COMPLETED");
    await page.goto(at(`/predictions/${id}`));
    const flag = page.locator("#drift-flag");
    await flag.waitFor();
    await expect(flag.textContent()).resolves.toMatch(
      /^Drift: \d+ input columns differ from the model's training data \(PSI above 0\.2\): .*Tenure \(months\)/,
    );
    // The warning's link opens the Performance tab with the drift table.
    await flag.getByRole("link", { name: "Performance" }).click();
    await page.locator("#drift-table").waitFor();
    const first = page.locator("#drift-table tbody tr").first();
    await expect(first.getAttribute("class")).resolves.toBe("flagged");
    await expect(first.locator(".badge.shifted").textContent()).resolves.toBe("Shifted");
    const psis = await page.locator("#drift-table tbody td[data-label=PSI]").allTextContents();
    expect(psis.map(Number)).toEqual([...psis.map(Number)].sort((a, b) => b - a));
    await ui.screenshot("drift");
  });

  test("a model's page has a Performance tab: realized AUC with its interval, calibration and lift, and the drift of its latest files", async () => {
    await page.goto(at(`/models/${BUILTIN_MODEL_ID}`));
    await page.getByRole("tab", { name: "Performance" }).click();
    await page.locator("#performance-stats").waitFor();
    const stats = (await page.locator("#performance-stats .stat").allTextContents()).join(" | ");
    expect(stats).toMatch(/Realized AUC0\.\d{3}95% interval 0\.\d{3}–0\.\d{3}/);
    await expect(page.locator("#performance svg circle[data-decile]").count()).resolves.toBe(10);
    const files = page.locator("#drift-table tbody tr");
    await expect(files.count()).resolves.toBe(2);
    // Newest first: the shifted file, with its shifted columns named.
    await expect(files.first().locator("td[data-label='Shifted columns']").textContent()).resolves.toContain(
      "Tenure (months)",
    );
    await ui.screenshot("model-performance");
  });
});
