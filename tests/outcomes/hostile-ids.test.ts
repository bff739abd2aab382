import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_MODEL_ID } from "../../packages/core/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { readTelco, toCsv, type Table } from "../support/telco.ts";

/**
 * Issue 26, item 1 over real HTTP in local mode: one customer id a database index cannot hold (2,800
 * letters) or a NUL inside an id must not break the account's outcomes, trends and performance, nor
 * hold up another account's score copies.
 */
let service: RunningService;
let telco: Table;
beforeAll(async () => {
  service = await startService("local");
  telco = readTelco();
});
afterAll(() => service.stop());

const ID = () => telco.headers.indexOf("customerID");
const unlabeled = (rows: string[][]) => {
  const keep = telco.headers.map((h, i) => (h === "Churn" ? -1 : i)).filter((i) => i >= 0);
  return toCsv(
    keep.map((i) => telco.headers[i]!),
    rows.map((r) => keep.map((i) => r[i]!)),
  );
};
const letters = (n: number) => Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join("");

async function submit(key: string, csv: string): Promise<string> {
  const upload = await service.api("/v1/predictions", key, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: csv,
  });
  expect(upload.status).toBe(202);
  return ((await upload.json()) as { id: string }).id;
}

async function get(key: string, path: string): Promise<{ status: number; body: string }> {
  const response = await service.api(path, key);
  return { status: response.status, body: await response.text() };
}

describe("a hostile customer id", () => {
  it("over 200 characters is a row error of its own row, and outcomes, trends and performance still answer", async () => {
    const key = await service.key("long-ids");
    const rows = telco.rows.slice(0, 300).map((r) => [...r]);
    const long = letters(2_800);
    rows[0]![ID()] = long;
    const id = await submit(key, unlabeled(rows));
    const done = await service.waitFor(id, key, "COMPLETED");
    expect(done.status).toBe("COMPLETED");
    expect(done.progress.rowsFailed).toBe(1);
    const errors = (await get(key, `/v1/predictions/${id}/errors?limit=100`)).body;
    // The error report: row 1, the id shortened for display, and what is wrong with it.
    expect(errors.split("\n")[1]).toMatch(/^1,[a-z]{63}…,"customer id longer than 200 characters \(2,800\)/);

    const outcomes = `customer_id,churned\n${rows
      .slice(1, 200)
      .map((r) => `${r[ID()]},${r[telco.headers.indexOf("Churn")] === "Yes" ? "yes" : "no"}`)
      .join("\n")}\n`;
    const posted = await service.api("/v1/outcomes", key, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: outcomes,
    });
    expect(posted.status).toBe(200);
    expect(((await posted.json()) as { rowsMatched: number }).rowsMatched).toBe(199);
    for (const path of [
      "/v1/insights/trends",
      "/v1/insights/trends.svg",
      `/v1/models/${BUILTIN_MODEL_ID}/performance`,
      `/v1/predictions/${id}/performance`,
    ]) {
      expect({ path, status: (await get(key, path)).status }).toEqual({ path, status: 200 });
    }
    const copy = await service.services.scoreIndexes.getById(id);
    expect(copy).toMatchObject({ status: "COMPLETED", rowsIndexed: 299 });
  });

  it("holding a NUL past the first 64 KiB fails the file as not text, and nothing of it reaches a result", async () => {
    const key = await service.key("nul-ids");
    const rows = telco.rows.slice(0, 1_000).map((r) => [...r]);
    rows[800]![ID()] = "7590\u0000VHVEG";
    const id = await submit(key, unlabeled(rows));
    const done = await service.waitFor(id, key, "FAILED");
    expect(done.status).toBe("FAILED");
    expect(done.error.code).toBe("csv.not_text");
    expect(done.error.message).toContain("NUL");
    for (const path of ["/v1/insights/trends", `/v1/models/${BUILTIN_MODEL_ID}/performance`]) {
      expect({ path, status: (await get(key, path)).status }).toEqual({ path, status: 200 });
    }
  });
});
