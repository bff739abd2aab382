/**
 * A customer's journey without dead ends (issue 25), in Chromium against `retainwise local`: an
 * account with its own bank model uploads a bank file while the Telco model is the default, is told
 * at once which columns are missing and scores it with its bank model in one click; a failed job is
 * explained in a details panel and retried; outcomes are uploaded in the bank model's own words.
 * Desktop and phone widths. Screenshots: tests/artifacts/ui-journey-*.png.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { openUiSession, PHONE_VIEWPORT, type UiSession } from "./support/ui-session.ts";

/** The built-in Telco model (migrations/0004_models.sql): every account's default until it picks another. */
const BUILTIN_MODEL_ID = "00000000-0000-4000-8000-000000000001";
const TRAINING_TIMEOUT_MS = 240_000;
const JOB_TIMEOUT_MS = 120_000;
const BANK_ROWS = 600;

let session: UiSession;
let page: Page;
let bankId = "";

/** A bank's customers: an id, two inputs with some signal, and whether they left (`Exited` 1/0). Deterministic. */
function bankRows(count: number, { exited = true } = {}): string {
  const header = ["CustomerId", "CreditScore", "Products", ...(exited ? ["Exited"] : [])].join(",");
  const rows = Array.from({ length: count }, (_, i) => {
    const score = 400 + ((i * 37) % 450);
    const products = 1 + (i % 3);
    const left = score < 560 !== (i % 7 === 0) ? 1 : 0;
    return [15600000 + i, score, products, ...(exited ? [left] : [])].join(",");
  });
  return [header, ...rows].join("\n") + "\n";
}

beforeAll(async () => {
  session = await openUiSession();
  page = session.page;
  await page.addInitScript((key) => sessionStorage.setItem("retainwise.apiKey", key), session.server.apiKey);
  const created = await session.v1<{ id: string }>("/models?label=Exited&name=bank", {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: bankRows(BANK_ROWS),
  });
  expect(created.status).toBe(202);
  bankId = created.body.id;
  const deadline = Date.now() + TRAINING_TIMEOUT_MS;
  let status = "";
  while (Date.now() < deadline && !["READY", "FAILED"].includes(status)) {
    status = (await session.v1<{ status: string }>(`/models/${bankId}`)).body.status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(status).toBe("READY");
}, TRAINING_TIMEOUT_MS + 180_000);

afterAll(async () => {
  await session?.close();
});

const at = (path: string) => session.at(path);
const row0 = () => page.locator("#predictions tbody tr[data-id]").first();

/** The newest prediction's id, as the API lists it. */
async function row0Id(): Promise<string> {
  return (await session.v1<{ items: { id: string }[] }>("/predictions?limit=1")).body.items[0]!.id;
}

/**
 * A FAILED row of the predictions or models list: its first cell holds only its name (`named`), and
 * "Why it failed" opens the API's message. Returns the row and the message.
 */
async function expectFailureFolded(list: "predictions" | "models", id: string, named: string, timeout: number) {
  await page.goto(at(`/${list}`));
  const row = page.locator(`#${list} tbody tr[data-id="${id}"]`);
  await row.locator(".status-failed").waitFor({ timeout });
  const { message } = (await session.v1<{ error: { message: string } }>(`/${list}/${id}`)).body.error;
  await expect(row.locator(".file-cell").textContent()).resolves.toBe(named);
  await row.getByText("Why it failed").click();
  await expect(row.locator(".failure-message").textContent()).resolves.toBe(message);
  return { row, message };
}

/** `path` at phone width: `check` runs on it, then nothing may scroll sideways; a screenshot is kept as ui-journey-NAME-phone.png. */
async function onPhone(path: string, name: string, check: (phone: Page) => Promise<void>): Promise<void> {
  const phone = await session.phone();
  try {
    await phone.goto(at(path));
    await check(phone);
    await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(
      PHONE_VIEWPORT.width,
    );
    await phone.screenshot({
      path: `${new URL("../artifacts/", import.meta.url).pathname}ui-journey-${name}-phone.png`,
      fullPage: true,
    });
  } finally {
    await phone.close();
  }
}

describe("a customer's journey without dead ends", () => {
  test(
    "a bank file chosen for the Telco model is refused at once, naming the missing columns, and scored with bank-v1 in one click",
    async () => {
      await page.goto(at("/upload"));
      await page.locator("#model:not([disabled])").waitFor();
      await expect(page.locator("#model").inputValue()).resolves.toBe(BUILTIN_MODEL_ID);
      // The challenger list offers every model but the one chosen above.
      const offered = () =>
        page
          .locator("#challenger option")
          .evaluateAll((all) =>
            all.filter((o) => !(o as HTMLOptionElement).hidden).map((o) => (o as HTMLOptionElement).value),
          );
      await expect(offered()).resolves.toEqual(["", bankId]);
      await page.locator("#model").selectOption(bankId);
      await expect(offered()).resolves.toEqual(["", BUILTIN_MODEL_ID]);
      await page.locator("#model").selectOption(BUILTIN_MODEL_ID);
      await page.setInputFiles("#file", {
        name: "bank-customers.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(bankRows(200, { exited: false })),
      });
      await page.getByRole("button", { name: "Upload and score" }).click();
      await page.locator("#upload-error").filter({ hasText: /\S/ }).waitFor();
      await expect(page.locator("#upload-error").textContent()).resolves.toMatch(
        /^The model telco-v1 cannot score this file\. The file is missing 19 required columns: .*Your model bank-v1 reads every column it needs/,
      );
      await session.screenshot("journey-upload-refused");
      await page.getByRole("button", { name: "Score with bank-v1 instead" }).click();
      await page.waitForURL(/\/predictions/);
      await row0().locator(".status-completed").waitFor({ timeout: JOB_TIMEOUT_MS });
      const id = await row0().getAttribute("data-id");
      const scored = await session.v1<{ modelId: string; modelVersion: string }>(`/predictions/${id}`);
      expect(scored.body.modelId).toBe(bankId);
      // The banner said scoring had started; once the row is done it does not linger.
      await page.locator("#flash").waitFor({ state: "hidden" });
    },
    JOB_TIMEOUT_MS + 30_000,
  );

  test("numbers are explained: the model page states its risk thresholds and what its charts show, a prediction its reasons' figures and risk levels", async () => {
    const model = await session.v1<{ thresholds: { high: number; medium: number } }>(`/models/${bankId}`);
    const { high, medium } = model.body.thresholds;
    expect(high).toBeGreaterThan(medium);
    const cut = `High from ${Math.round(high * 100)}%, Medium from ${Math.round(medium * 100)}%, Low below`;
    await page.goto(at(`/models/${bankId}`));
    await page.locator("#model-stats .stat").first().waitFor();
    await expect(page.locator("#model-stats").textContent()).resolves.toContain(cut);
    await expect(page.locator("#model-charts-legend").textContent()).resolves.toContain(
      "×4.0 means a customer at its riskiest value has 4 times the odds",
    );
    // On a phone a column name wraps between its words (Senior / Citizen), never inside one (SeniorCiti / zen).
    await onPhone(`/models/${BUILTIN_MODEL_ID}`, "model", async (phone) => {
      await phone.locator("#inputs .column-name").first().waitFor();
      await expect(phone.locator("#inputs .column-name").allTextContents()).resolves.toEqual(
        expect.arrayContaining(["SeniorCitizen", "StreamingMovies", "PaperlessBilling"]),
      );
      const brokenWords = await phone.locator("#inputs .column-name, #excluded .column-name").evaluateAll(
        (names) =>
          names
            .flatMap((name) => [...name.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE))
            .filter((word) => {
              const range = document.createRange();
              range.selectNodeContents(word);
              return range.getClientRects().length > 1;
            }).length,
      );
      expect(brokenWords).toBe(0);
    });
    await page.goto(at(`/predictions/${await row0Id()}`));
    await page.locator("#risk-legend").filter({ hasText: /\S/ }).waitFor();
    await expect(page.locator("#risk-legend").textContent()).resolves.toBe(
      `Risk levels: ${cut} (the churn probability, as bank-v1 cuts it).`,
    );
    await expect(page.locator("#top-risks-legend").textContent()).resolves.toContain(
      "(+2.15) raises the risk, (−0.73) lowers it",
    );
    await session.screenshot("journey-prediction-legends");
  });

  test(
    "a failed job shows why in a details panel, not in the file column, fits a phone, and Retry scores its file again",
    async () => {
      const [header, ...rows] = bankRows(40, { exited: false }).trimEnd().split("\n");
      // Half the rows lose a field: more than 10% bad rows fails the job, whichever model scores it.
      const broken =
        [header, ...rows.map((row, i) => (i % 2 ? row.split(",").slice(0, 2).join(",") : row))].join("\n") + "\n";
      const upload = await session.v1<{ id: string }>(`/predictions?model=${bankId}&filename=broken.csv`, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: broken,
      });
      expect(upload.status).toBe(202);
      const { row, message } = await expectFailureFolded("predictions", upload.body.id, "broken.csv", JOB_TIMEOUT_MS);
      await session.screenshot("journey-failed-details");

      await onPhone("/predictions", "failed", async (phone) => {
        const phoneRow = phone.locator(`#predictions tbody tr[data-id="${upload.body.id}"]`);
        await phoneRow.getByText("Why it failed").click();
        await phoneRow.locator(".failure-message").waitFor();
      });

      // Its own page explains it the same way and asks nothing it cannot have: a failed prediction
      // has no performance or drift (they answered 409 twice a second, eating the rate limit).
      const asked: string[] = [];
      const record = (request: { url(): string }) => void asked.push(new URL(request.url()).pathname);
      page.on("request", record);
      await page.goto(at(`/predictions/${upload.body.id}`));
      await expect(page.locator("#status-panel .failure-message").textContent()).resolves.toBe(message);
      await page.waitForTimeout(2_500);
      page.off("request", record);
      expect(asked.filter((path) => /\/(performance|drift)$/.test(path))).toEqual([]);
      await page.goto(at("/predictions"));

      await row.getByText("Why it failed").click();
      await row.getByRole("button", { name: "Retry broken.csv" }).click();
      // The list opens on the new prediction, highlighted.
      const retried = page.locator("#predictions tbody tr.highlight");
      await retried.waitFor();
      const retriedId = await retried.getAttribute("data-id");
      expect(retriedId).not.toBe(upload.body.id);
      await retried.locator(".status-failed").waitFor({ timeout: JOB_TIMEOUT_MS });
      await expect(
        session.v1<{ inputFilename: string; modelId: string }>(`/predictions/${retriedId}`).then((r) => r.body),
      ).resolves.toMatchObject({ inputFilename: "broken.csv", modelId: bankId });
    },
    2 * JOB_TIMEOUT_MS + 30_000,
  );

  test(
    "a failed training says why in the Models list's details panel, not under the model's name",
    async () => {
      const oneClass =
        ["CustomerId,CreditScore,Exited", ...Array.from({ length: 60 }, (_, i) => `${i},${500 + i},0`)].join("\n") +
        "\n";
      const created = await session.v1<{ id: string }>("/models?label=Exited&name=one-class", {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: oneClass,
      });
      expect(created.status).toBe(202);
      await expectFailureFolded("models", created.body.id, "one-class-v1 ", TRAINING_TIMEOUT_MS);
    },
    TRAINING_TIMEOUT_MS,
  );

  test("the Outcomes page has the drop zone, names the bank model's own columns, and reads a file in them", async () => {
    await page.goto(at("/outcomes"));
    await page.locator("#drop-zone").waitFor();
    await page.locator("#outcome-columns dd").first().waitFor();
    await expect(page.locator("#outcome-columns").textContent()).resolves.toContain(
      'Exited ("1" = churned, as bank-v1 learned it)',
    );
    const outcomes =
      ["CustomerId,Exited", ...Array.from({ length: 200 }, (_, i) => `${15600000 + i},${i % 3 === 0 ? 1 : 0}`)].join(
        "\n",
      ) + "\n";
    await page.setInputFiles("#file", {
      name: "what-happened.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(outcomes),
    });
    await page.getByRole("button", { name: "Upload outcomes" }).click();
    await page.locator("#outcomes-summary").waitFor();
    await expect(page.locator("#outcomes-summary").textContent()).resolves.toMatch(
      /^Read 200 rows: 200 accepted, 0 rejected, 200 matched to earlier predictions\.$/,
    );
    await expect(page.locator("#outcomes-matched").textContent()).resolves.toBe(
      'Read CustomerId as the customer id and Exited as bank-v1 learned it ("1" = churned).',
    );
    await session.screenshot("journey-outcomes");
  });

  test("an outcome file with nothing accepted is refused with the rows' problems, not counted as a success", async () => {
    await page.setInputFiles("#file", {
      name: "future.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("customer_id,churned,observed_at\n15600001,yes,2999-01-01\n"),
    });
    await page.getByRole("button", { name: "Upload outcomes" }).click();
    await page.locator("#upload-error").filter({ hasText: /\S/ }).waitFor();
    await expect(page.locator("#upload-error").textContent()).resolves.toMatch(
      /^The one outcome row was not accepted, so nothing was saved \(row 1: observed_at "2999-01-01" is in the future/,
    );
    await expect(page.locator("#outcomes-summary").count()).resolves.toBe(0);
    await onPhone("/outcomes", "outcomes", (phone) => phone.locator("#outcome-columns dd").first().waitFor());
  });
});
