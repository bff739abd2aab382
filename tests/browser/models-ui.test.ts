/**
 * The Models pages in a real browser against `retainwise local`, in order like one customer's
 * session: see the built-in model, train one on a labeled file, watch it become READY, read its
 * page, make it the default, score with it, delete it. Screenshots: tests/artifacts/ui-model*.png.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { readTelco, toCsv } from "../support/telco.ts";
import { PHONE_VIEWPORT, openUiSession } from "./support/ui-session.ts";
import type { UiSession } from "./support/ui-session.ts";

const TRAINING_TIMEOUT_MS = 240_000;
const JOB_TIMEOUT_MS = 120_000;
const MODEL_NAME = "telco-ui";
const SCORED_ROWS = 300;

interface ModelJson {
  id: string;
  /** `bank-v2` */
  label: string;
  status: string;
  builtIn: boolean;
  isDefault: boolean;
  metrics: { heldOut: { auc: number; brier: number; calibration: unknown[] } | null } | null;
}
/** A `term-tables/1` card has terms and columns; an older column-per-input card has neither. */
interface Card {
  format?: string;
  inputs: { name: string }[];
  terms?: { kind: "main" | "pair" }[];
  columns?: { name: string; role: string; reason: string }[];
}

let session: UiSession;
let page: Page;
let trainedId = "";

beforeAll(async () => {
  session = await openUiSession();
  page = session.page;
  await page.addInitScript((key) => sessionStorage.setItem("retainwise.apiKey", key), session.server.apiKey);
}, 180_000);

afterAll(async () => {
  await session?.close();
});

const at = (path: string) => session.at(path);
const model = async (id: string) => (await session.v1<ModelJson>(`/models/${id}`)).body;
const cardOf = async (id: string) => (await session.v1<Card>(`/models/${id}/card`)).body;
const modelRow = (id: string) => page.locator(`#models tbody tr[data-id="${id}"]`);

/**
 * The Telco file with two columns a model must not use, so the page has left-out columns to
 * explain: a note that differs on every row and a region that never changes.
 */
function trainingTable(): { headers: string[]; rows: string[][] } {
  const telco = readTelco();
  return {
    headers: [...telco.headers, "Notes", "Region"],
    rows: telco.rows.map((row, i) => [...row, `Called on day ${i} about the bill`, "EU"]),
  };
}

/** The same customers without their outcome, as a customer would upload them for scoring. */
function customersCsv(rows: number): Buffer {
  const { headers, rows: all } = trainingTable();
  const keep = headers.map((h) => h !== "Churn");
  return Buffer.from(
    toCsv(
      headers.filter((_, i) => keep[i]),
      all.slice(0, rows).map((row) => row.filter((_, i) => keep[i])),
    ),
  );
}

async function expectNoSideways(target: Page): Promise<void> {
  await expect(target.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(
    PHONE_VIEWPORT.width,
  );
}

describe("the Models pages", () => {
  test("the Models page, linked from the navigation, lists the built-in model as ready and the default", async () => {
    await page.goto(at("/predictions"));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models" }).click();
    await page.waitForURL(at("/models"));
    const { body } = await session.v1<{ items: ModelJson[] }>("/models");
    const builtIn = body.items.find((m) => m.builtIn);
    expect(builtIn).toBeDefined();
    const row = modelRow(builtIn!.id);
    await row.waitFor();
    await expect(row.locator(".mark-builtin").textContent()).resolves.toBe("Built-in");
    await expect(row.locator(".status-ready").count()).resolves.toBe(1);
    await expect(row.getAttribute("data-default")).resolves.toBe("true");
    const auc = builtIn!.metrics?.heldOut?.auc ?? null;
    if (auc !== null)
      await expect(row.locator('td[data-label="Held-out AUC"]').textContent()).resolves.toBe(auc.toFixed(3));
    await expect(row.getByRole("button", { name: /^Delete/ }).count()).resolves.toBe(0);
    await session.screenshot("models");
  });

  test("the training form offers the columns of the chosen file, read in the browser with the server's delimiter rules, before any upload", async () => {
    const posts: string[] = [];
    page.on("request", (request) => request.method() === "POST" && posts.push(request.url()));
    await page.getByRole("link", { name: "Train a model" }).click();
    await page.waitForURL(at("/models/new"));
    const telco = readTelco();
    const headers = telco.headers.map((h) => (h === "Contract" ? "Contract; term" : h));
    const semicolons = toCsv(headers, telco.rows.slice(0, 50), {
      delimiter: ";",
      bom: true,
      quoteAll: true,
      newline: "\r\n",
    });
    await page.setInputFiles("#file", {
      name: "Bank Customers 2024.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(semicolons),
    });
    await page.locator("#label-column:not([disabled])").waitFor();
    const options = await page
      .locator("#label-column option")
      .evaluateAll((all) => all.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(options).toEqual(headers);
    await expect(page.locator("#label-column").inputValue()).resolves.toBe("Churn");
    await expect(page.locator("#positive-hint").textContent()).resolves.toMatch(
      /^Seen in the first 50 rows: (No \(\d+\), Yes \(\d+\)|Yes \(\d+\), No \(\d+\))\. Left blank, the one that reads as churned counts as churned\.$/,
    );
    // The training cap, not the scoring one.
    await expect(page.locator("#size-cap").textContent()).resolves.toBe("CSV files up to 256 MiB");
    await expect(page.locator("#model-name").inputValue()).resolves.toBe("bank-customers-2024");

    await page.setInputFiles("#file", {
      name: "one-column.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("churned\nyes\nno\n"),
    });
    await page
      .locator("#upload-error")
      .filter({ hasText: /one column/ })
      .waitFor();
    await expect(page.getByRole("button", { name: "Upload and train" }).isDisabled()).resolves.toBe(true);
    expect(posts).toEqual([]);
  });

  test(
    "training on a labeled file shows its progress live and ends READY without a reload",
    async () => {
      await page.setInputFiles("#file", {
        name: "telco-train.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(toCsv(trainingTable().headers, trainingTable().rows)),
      });
      await page.locator("#label-column:not([disabled])").waitFor();
      await page.locator("#label-column").selectOption("Churn");
      await page.locator("#positive").fill("Yes");
      await page.locator("#model-name").fill(MODEL_NAME);
      await session.screenshot("model-train");
      await page.getByRole("button", { name: "Upload and train" }).click();
      await page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
      trainedId = page.url().split("/").pop()!;
      await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
      const seen = await watchTraining(page);
      await page.locator("#status-panel .status-ready").waitFor({ timeout: TRAINING_TIMEOUT_MS });
      await expect(page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).resolves.toBe(
        true,
      );
      const { statuses, percents } = await seen();
      expect(statuses[0]).toMatch(/^(Queued|Training)$/);
      expect(statuses.at(-1)).toBe("Ready");
      expect(percents.every((p) => p >= 0 && p <= 100)).toBe(true);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      await expect(page.locator("#model-title").textContent()).resolves.toBe(`${MODEL_NAME}-v1`);
    },
    TRAINING_TIMEOUT_MS + 30_000,
  );

  test("the model page shows held-out AUC and Brier, the calibration plot and what drives churn, pair terms included", async () => {
    const heldOut = (await model(trainedId)).metrics!.heldOut!;
    await page.locator('#model-charts figure[data-chart="importance"]').waitFor();
    const stats = await page.locator("#model-stats .stat").allTextContents();
    expect(stats[0]).toContain(heldOut.auc.toFixed(3));
    expect(stats[1]).toContain(heldOut.brier.toFixed(3));
    await expect(page.locator('figure[data-chart="calibration"] circle').count()).resolves.toBe(
      heldOut.calibration.length,
    );
    const terms = (await cardOf(trainedId)).terms;
    const importance = page.locator('figure[data-chart="importance"]');
    if (terms) {
      await expect(importance.locator("rect[data-kind]").count()).resolves.toBe(Math.min(12, terms.length));
      const pairs = terms.filter((t) => t.kind === "pair").length;
      if (terms.length <= 12) await expect(importance.locator('rect[data-kind="pair"]').count()).resolves.toBe(pairs);
    } else {
      await expect(importance.textContent()).resolves.toContain("does not describe its terms");
    }
    await session.screenshot("model");
  });

  test("the model page lists the inputs and every left-out column with the trainer's reason", async () => {
    const card = await cardOf(trainedId);
    const inputs = await page
      .locator("#inputs tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-column")));
    expect(inputs).toEqual(card.inputs.map((i) => i.name));
    if (card.columns) {
      const used = new Set(card.inputs.map((i) => i.name));
      const excluded = card.columns.filter((c) => !used.has(c.name) && c.role !== "label");
      expect(excluded.map((c) => c.name)).toEqual(expect.arrayContaining(["customerID", "Notes", "Region"]));
      for (const column of excluded) {
        const row = page.locator(`#excluded tbody tr[data-column="${column.name}"]`);
        await expect(row.locator('td[data-label="Why"]').textContent()).resolves.toBe(column.reason);
      }
    } else {
      await expect(page.locator("#excluded-card").isHidden()).resolves.toBe(true);
    }
    const phone = await session.phone();
    await phone.goto(page.url());
    await phone.locator('#model-charts figure[data-chart="importance"]').waitFor();
    await expectNoSideways(phone);
    await session.screenshot("model-phone", phone);
    await phone.goto(at("/models"));
    await phone.locator("#models tbody tr[data-id]").first().waitFor();
    await expectNoSideways(phone);
    await session.screenshot("models-phone", phone);
    await phone.close();
  });

  test("the model page marks columns actionable, saved as the model's settings for the scorer's retention_action", async () => {
    await page.goto(at(`/models/${trainedId}`));
    await page.locator("#actionable-card").waitFor();
    await page.locator('#actionable option[value="Contract"]').waitFor({ state: "attached" });
    await page.locator("#actionable").selectOption(["Contract", "PaymentMethod"]);
    await page.locator('#actionable-form button[type="submit"]').click();
    await page.locator("#actionable-saved", { hasText: "Saved: Contract, PaymentMethod." }).waitFor();
    expect((await session.v1<{ actionable: string[] }>(`/models/${trainedId}/settings`)).body.actionable).toEqual([
      "Contract",
      "PaymentMethod",
    ]);
    await page.reload();
    await page.locator('#actionable option[value="Contract"]:checked').waitFor({ state: "attached" });
  });

  test("the Download button fetches the model's ONNX file through the presigned URL", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: `Download model ${MODEL_NAME}-v1` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${MODEL_NAME}-v1.onnx`);
    const bytes = await readFile(await download.path());
    // An ONNX file is a protobuf ModelProto: field 1 (ir_version, a varint) comes first.
    expect(bytes[0]).toBe(0x08);
    expect(bytes.length).toBeGreaterThan(1000);
  });

  test("Make default moves the Default mark to the model and preselects it on the upload page", async () => {
    await page.getByRole("button", { name: `Make ${MODEL_NAME}-v1 the default model` }).click();
    await page.locator("#model-subtitle").filter({ hasText: "Default for new uploads" }).waitFor();
    await expect(model(trainedId)).resolves.toMatchObject({ isDefault: true, label: `${MODEL_NAME}-v1` });
    await page.goto(at("/models"));
    await expect(modelRow(trainedId).getAttribute("data-default")).resolves.toBe("true");
    await expect(page.locator('#models tbody tr[data-default="true"]').count()).resolves.toBe(1);
    await page.goto(at("/upload"));
    await page.locator("#model:not([disabled])").waitFor();
    await expect(page.locator("#model").inputValue()).resolves.toBe(trainedId);
  });

  test(
    "a file scored with the trained model names the model on its prediction",
    async () => {
      await page.setInputFiles("#file", {
        name: "new-customers.csv",
        mimeType: "text/csv",
        buffer: customersCsv(SCORED_ROWS),
      });
      await page.getByRole("button", { name: "Upload and score" }).click();
      await page.waitForURL(/\/predictions/);
      const row = page.locator("#predictions tbody tr[data-id]").first();
      await row.locator(".status-completed, .status-failed").waitFor({ timeout: JOB_TIMEOUT_MS });
      await expect(row.locator(".failure-details").count()).resolves.toBe(0);
      await row.locator("a").first().click();
      await page.locator("#summary .stat").first().waitFor();
      await expect(page.locator("#prediction-model").textContent()).resolves.toContain(`${MODEL_NAME}-v1`);
      await expect(page.locator("#prediction-model a").getAttribute("href")).resolves.toBe(`/models/${trainedId}`);
      await session.screenshot("prediction-with-model");
    },
    JOB_TIMEOUT_MS + 30_000,
  );

  test("deleting a model asks first, then removes it from the list", async () => {
    await page.goto(at("/models"));
    const builtIn = page.locator("#models tbody tr:has(.mark-builtin)");
    await builtIn.getByRole("button", { name: /^Make .* the default model$/ }).click();
    await page.locator('#models tbody tr:has(.mark-builtin)[data-default="true"]').waitFor();
    await modelRow(trainedId)
      .getByRole("button", { name: `Delete ${MODEL_NAME}-v1` })
      .click();
    await page.locator("dialog#confirm[open]").waitFor();
    await expect(page.locator("#confirm-title").textContent()).resolves.toBe("Delete model?");
    await session.screenshot("model-delete-confirm");
    await page.locator("#confirm-yes").click();
    await modelRow(trainedId).waitFor({ state: "detached" });
    await expect(session.v1(`/models/${trainedId}`).then((r) => r.status)).resolves.toBe(404);
  });
});

/**
 * Records every status and training percent the model page shows, from the moment it is called:
 * the page polls, so this is what a customer watching it saw.
 */
async function watchTraining(target: Page): Promise<() => Promise<{ statuses: string[]; percents: number[] }>> {
  await target.evaluate(() => {
    const seen = { statuses: [] as string[], percents: [] as number[] };
    (window as unknown as { trainingSeen: typeof seen }).trainingSeen = seen;
    const panel = document.getElementById("status-panel")!;
    const record = () => {
      const status = panel.querySelector(".badge")?.textContent ?? "";
      if (status && seen.statuses.at(-1) !== status) seen.statuses.push(status);
      const bar = panel.querySelector("progress");
      if (bar?.hasAttribute("value")) seen.percents.push(bar.value);
    };
    record();
    new MutationObserver(record).observe(panel, { childList: true, subtree: true, attributes: true });
  });
  return () =>
    target.evaluate(
      () => (window as unknown as { trainingSeen: { statuses: string[]; percents: number[] } }).trainingSeen,
    );
}
