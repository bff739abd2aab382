/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against the real
 * one-machine mode: API + worker + Postgres in one `retainwise local` process. The tests run in
 * order and share one signed-in tab, like a customer's session. Screenshots: tests/artifacts/ui-*.png.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import type { LocalServer } from "./support/local-server.ts";
import { ARTIFACTS, openUiSession } from "./support/ui-session.ts";
import type { UiSession } from "./support/ui-session.ts";

const FIXTURE = new URL("../fixtures/telco-churn.csv", import.meta.url).pathname;
const FIXTURE_ROWS = 5626;
const JOB_TIMEOUT_MS = 120_000;
/** The first bytes of a PNG: what a customer uploads when they pick a screenshot renamed .csv. */
const PNG_BYTES = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

let session: UiSession;
let server: LocalServer;
let page: Page;

beforeAll(async () => {
  session = await openUiSession();
  ({ server, page } = session);
}, 180_000);

afterAll(async () => {
  await session?.close();
});

const screenshot = (name: string, target: Page = page) => session.screenshot(name, target);
const at = (path: string) => session.at(path);
const row0 = () => page.locator("#predictions tbody tr[data-id]").first();

describe("the web UI", () => {
  test("a page needing sign-in sends you to the sign-in page", async () => {
    await page.goto(at("/predictions"));
    await page.waitForURL(/\/sign-in\?next=/);
    await expect(page.getByLabel("API key").isVisible()).resolves.toBe(true);
    await screenshot("sign-in");
  });

  test("a wrong API key is refused with a message and nothing is kept", async () => {
    await page.getByLabel("API key").fill("rw_not_a_real_key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .locator("#sign-in-error")
      .filter({ hasText: /not accepted/ })
      .waitFor();
    await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);
  });

  test("signing in with the printed key keeps it in session storage and opens the list", async () => {
    await page.getByLabel("API key").fill(server.apiKey);
    await expect(page.locator("#sign-in-error").textContent()).resolves.toBe("");
    await page.keyboard.press("Enter");
    await page.waitForURL(at("/predictions"));
    await expect(page.evaluate(() => Object.values(sessionStorage))).resolves.toEqual([server.apiKey]);
    await expect(page.evaluate(() => localStorage.length + document.cookie.length)).resolves.toBe(0);
  });

  test("uploading the Telco file shows upload progress, then the job runs to COMPLETED without a reload", async () => {
    await page.goto(at("/upload"));
    await page.locator("#size-cap").filter({ hasText: /up to/ }).waitFor();
    // The picker is reachable from the keyboard: Space on the focused input opens it. locator.press
    // focuses and presses in one step (a separate focus() was once lost under load, and no chooser came).
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.locator("#file").press("Space")]);
    await chooser.setFiles(FIXTURE);
    await expect(page.locator("#chosen-file").textContent()).resolves.toContain("telco-churn.csv");
    await screenshot("upload");
    const barValues: number[] = [];
    await page.exposeFunction("reportUploadBar", (value: number) => barValues.push(value));
    await page.evaluate(() => {
      const bar = document.getElementById("upload-bar") as HTMLProgressElement;
      const report = (window as unknown as { reportUploadBar: (v: number) => void }).reportUploadBar;
      new MutationObserver(() => report(bar.value)).observe(bar, { attributes: true });
    });
    await page.getByRole("button", { name: "Upload and score" }).click();
    await page.waitForURL(/\/predictions/);
    expect(barValues.at(-1)).toBe(100);
    await row0().waitFor();
    await screenshot("predictions-live");
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const row = row0();
    await expect(row.locator("a").first().textContent()).resolves.toBe("telco-churn.csv");
    await row.locator(".status-completed").waitFor({ timeout: JOB_TIMEOUT_MS });
    await expect(page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).resolves.toBe(
      true,
    );
    await expect(row.locator(".progress-cell").textContent()).resolves.toContain(
      `${FIXTURE_ROWS.toLocaleString("en-US")} rows scored`,
    );
    await screenshot("predictions");
  });

  test("the download button fetches the scored CSV through the presigned URL", async () => {
    const row = page.locator("#predictions tbody tr").first();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("button", { name: /^Download/ }).click(),
    ]);
    const path = await download.path();
    const lines = (await readFile(path, "utf8")).trimEnd().split(/\r?\n/);
    expect(lines).toHaveLength(FIXTURE_ROWS + 1);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
  });

  test("the prediction page shows the summary, the risk chart and the top 20 risks", async () => {
    await page.locator("#predictions tbody tr").first().locator("a").first().click();
    await page.locator("#chart svg").first().waitFor();
    const stats = await page.locator("#summary .stat").allTextContents();
    expect(stats[0]).toContain(FIXTURE_ROWS.toLocaleString("en-US"));
    expect(stats.join(" ")).toMatch(/Mean churn probability\d+\.\d%/);
    const bars = await page.locator("#chart svg").first().locator("rect").count();
    expect(bars).toBe(10);
    const riskCounts = await page
      .locator("#chart rect[data-level]")
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("data-count"))));
    expect(riskCounts.reduce((a, b) => a + b, 0)).toBe(FIXTURE_ROWS);
    await expect(page.locator("#top-risks tbody tr").count()).resolves.toBe(20);
    await expect(page.locator("#top-risks tbody tr").first().locator(".factor").count()).resolves.toBeGreaterThan(0);
    await screenshot("prediction");
    const phone = await session.phone();
    await phone.goto(page.url());
    await phone.locator("#chart svg").first().waitFor();
    await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await phone.screenshot({ path: `${ARTIFACTS}ui-prediction-phone.png` });
    await phone.goto(at("/predictions"));
    await phone.locator("#predictions tbody tr[data-id]").first().waitFor();
    await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await phone.screenshot({ path: `${ARTIFACTS}ui-predictions-phone.png` });
    await phone.close();
  });

  test("a binary file named .csv is rejected with the server's own message", async () => {
    const direct = await fetch(at("/v1/predictions"), {
      method: "POST",
      headers: { Authorization: `Bearer ${server.apiKey}` },
      body: formWith(new File([PNG_BYTES], "photo.csv", { type: "text/csv" })),
    });
    const serverMessage = ((await direct.json()) as { error: { message: string } }).error.message;
    expect(direct.status).toBe(415);
    await page.goto(at("/upload"));
    await page.locator("#size-cap").filter({ hasText: /up to/ }).waitFor();
    await page.setInputFiles("#file", { name: "photo.csv", mimeType: "text/csv", buffer: PNG_BYTES });
    await page.getByRole("button", { name: "Upload and score" }).click();
    await page.locator("#upload-error").filter({ hasText: /\S/ }).waitFor();
    await expect(page.locator("#upload-error").textContent()).resolves.toBe(serverMessage);
    await screenshot("upload-rejected");
  });

  test("a CSV the model cannot read is refused at upload with the server's message naming the columns, and nothing is queued", async () => {
    const before = (await session.v1<{ items: unknown[] }>("/predictions")).body.items.length;
    await page.setInputFiles("#file", {
      name: "no-customers.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("colour,size\nred,3\nblue,4\n"),
    });
    await page.getByRole("button", { name: "Upload and score" }).click();
    await page.locator("#upload-error").filter({ hasText: /\S/ }).waitFor();
    await expect(page.locator("#upload-error").textContent()).resolves.toMatch(
      /^The model telco-v1 cannot score this file\. The file is missing 19 required columns: .*None of your models reads this file/,
    );
    // Only the built-in model exists here: there is no other model to offer.
    await expect(page.locator("#upload-instead button").count()).resolves.toBe(0);
    expect(page.url()).toBe(at("/upload"));
    expect((await session.v1<{ items: unknown[] }>("/predictions")).body.items.length).toBe(before);
    await screenshot("upload-missing-columns");
  });

  test("a job failed on too many bad rows shows its first 20 and downloads the whole error report", async () => {
    const lines = (await readFile(FIXTURE, "utf8")).trimEnd().split(/\r?\n/);
    const ragged = lines.slice(1, 31).map((line) => line.split(",").slice(0, 7).join(","));
    await page.setInputFiles("#file", {
      name: "glued.csv",
      mimeType: "text/csv",
      buffer: Buffer.from([...lines.slice(0, 11), ...ragged].join("\n") + "\n"),
    });
    await page.getByRole("button", { name: "Upload and score" }).click();
    await page.waitForURL(/\/predictions/);
    await row0().locator(".status-failed").waitFor({ timeout: JOB_TIMEOUT_MS });
    await row0().locator("a").first().click();
    await page.locator("#row-errors-card").waitFor();
    await expect(page.locator("#row-errors tbody tr").count()).resolves.toBe(20);
    await expect(page.locator("#row-errors tbody tr").first().locator("td").allTextContents()).resolves.toEqual([
      "11",
      ragged[0]!.split(",")[0],
      "the row has 7 fields but the header has 21",
    ]);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download error report" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("glued-errors.csv");
    expect((await readFile(await download.path(), "utf8")).trimEnd().split("\n")).toHaveLength(31);
    await screenshot("prediction-row-errors");
    await page.goto(at("/upload"));
  });

  test("a file that is not .csv is refused before any upload", async () => {
    await page.setInputFiles("#file", {
      name: "customers.xlsx",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("PK"),
    });
    await expect(page.locator("#upload-error").textContent()).resolves.toMatch(/not a CSV file/);
    await expect(page.getByRole("button", { name: "Upload and score" }).isDisabled()).resolves.toBe(true);
  });

  test("deleting asks for confirmation first and then removes the prediction", async () => {
    await page.goto(at("/predictions"));
    const row = page.locator("#predictions tbody tr[data-id]").first();
    const id = await row.getAttribute("data-id");
    await row.getByRole("button", { name: /^Delete/ }).click();
    await page.locator("dialog#confirm[open]").waitFor();
    await screenshot("delete-confirm");
    await page.getByRole("button", { name: "Keep it" }).click();
    await expect(page.locator(`tr[data-id="${id}"]`).count()).resolves.toBe(1);
    await row.getByRole("button", { name: /^Delete/ }).click();
    await page.locator("#confirm-yes").click();
    // The row leaves the list (or reads CANCELED, for a job still running) once the delete is
    // answered; waiting for it to stop reading COMPLETED raced the delete when the row was FAILED.
    await page.waitForFunction((gone) => {
      const row = document.querySelector<HTMLElement>(`tr[data-id="${gone}"]`);
      return row === null || row.dataset.status === "CANCELED";
    }, id);
    const after = await fetch(at(`/v1/predictions/${id}`), { headers: { Authorization: `Bearer ${server.apiKey}` } });
    expect([404, 200]).toContain(after.status);
    if (after.status === 200) expect(((await after.json()) as { status: string }).status).toBe("CANCELED");
  });

  test("signing out forgets the key and locks the pages again", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in\?signedOut=1/);
    await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);
    await screenshot("signed-out");
    await page.goto(at("/upload"));
    await page.waitForURL(/\/sign-in\?next=/);
  });
});

function formWith(file: File): FormData {
  const form = new FormData();
  form.append("file", file);
  return form;
}
