import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { ERROR_CODES, ERROR_KINDS } from "@retainwise/core/errors";
import { createLogger } from "@retainwise/core/log";
import { STATUS_OF_KIND } from "./errors.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const CSV = "customerID,tenure,MonthlyCharges\n0001-A,12,70.35\n";

let t: TestApp;
let key: string;
const logLines: string[] = [];
beforeAll(async () => {
  t = await createTestApp({
    maxUploadBytes: 1024,
    maxConcurrentTrainings: 1,
    logger: createLogger({}, { write: (line) => logLines.push(line) }),
  });
  key = await t.key("errors");
});
afterAll(() => t?.close());

function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${key}`);
  return Promise.resolve(t.app.request(path, { ...init, headers }));
}

async function errorOf(
  response: Response,
): Promise<{ code: string; kind: string; message: string; requestId?: string }> {
  return ((await response.json()) as { error: { code: string; kind: string; message: string; requestId?: string } })
    .error;
}

describe("every error answers with its kind's status", () => {
  test("each kind has one status, and 4xx kinds are the client's while unavailable and internal are 5xx", () => {
    expect(Object.keys(STATUS_OF_KIND).sort()).toEqual([...ERROR_KINDS].sort());
    expect(STATUS_OF_KIND.internal).toBe(500);
    expect(STATUS_OF_KIND.unavailable).toBe(503);
  });

  test("400 input: a malformed list limit names the parameter", async () => {
    const response = await call("/v1/predictions?limit=0");
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: "request.invalid_limit", kind: "input" });
  });

  test("401 auth: no key", async () => {
    const response = await t.app.request("/v1/predictions");
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ code: "auth.missing", kind: "auth" });
  });

  test("404 not_found: an unknown prediction, an unknown model and an unknown route", async () => {
    const prediction = await call(`/v1/predictions/${randomUUID()}`);
    expect(prediction.status).toBe(404);
    expect(await errorOf(prediction)).toMatchObject({ code: "prediction.not_found", kind: "not_found" });
    const model = await call(`/v1/models/${randomUUID()}`);
    expect(await errorOf(model)).toMatchObject({ code: "model.not_found", kind: "not_found" });
    const route = await call("/v1/nowhere");
    expect(route.status).toBe(404);
    expect(await errorOf(route)).toMatchObject({ code: "route.not_found", kind: "not_found" });
  });

  test("409 conflict: downloading a prediction that has not run yet", async () => {
    const created = await call("/v1/predictions", {
      method: "POST",
      body: CSV,
      headers: { "Content-Type": "text/csv" },
    });
    const { id } = (await created.json()) as { id: string };
    const response = await call(`/v1/predictions/${id}/download`);
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({ code: "prediction.not_ready", kind: "conflict" });
  });

  test("413 too_large and 415 unsupported: uploads over the cap and of another type", async () => {
    const large = await call("/v1/predictions", {
      method: "POST",
      body: CSV.repeat(100),
      headers: { "Content-Type": "text/csv" },
    });
    expect(large.status).toBe(413);
    expect(await errorOf(large)).toMatchObject({
      code: "upload.too_large",
      kind: "too_large",
      message: expect.stringContaining("the 1 KiB limit"),
    });
    const json = await call("/v1/predictions", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    expect(json.status).toBe(415);
    expect(await errorOf(json)).toMatchObject({ code: "upload.unsupported_type", kind: "unsupported" });
  });

  test("429 rate_limited: a training past the account's concurrent-training limit", async () => {
    const account = await t.accounts.ensureAccount("errors");
    await t.models.create({
      id: randomUUID(),
      accountId: account.id,
      name: "busy",
      labelColumn: "Churn",
      positiveValue: null,
      inputKey: "k",
      inputFilename: "f.csv",
      inputBytes: 1,
    });
    const response = await call("/v1/models?label=Churn&name=next", {
      method: "POST",
      body: "customerID,Churn\n1,yes\n",
      headers: { "Content-Type": "text/csv" },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await errorOf(response)).toMatchObject({ code: "model.too_many_trainings", kind: "rate_limited" });
  });

  test("500 internal: a missing table is logged with the request id and SQLSTATE, and the client learns neither", async () => {
    await t.sql`drop table outcomes cascade`;
    const response = await call("/v1/outcomes", { headers: { "X-Request-Id": "req-missing-table" } });
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: "db.error", kind: "internal", requestId: "req-missing-table" });
    expect(JSON.stringify(error)).not.toMatch(/42P01|outcomes|database/i);
    const logged = logLines.find((line) => line.includes("req-missing-table") && line.includes("request failed"));
    expect(logged).toContain("42P01");
  });
});

describe("docs/ERRORS.md", () => {
  test("lists every error code once with its kind and status, and no code that does not exist", async () => {
    const { readFile } = await import("node:fs/promises");
    const page = await readFile(new URL("../../../docs/ERRORS.md", import.meta.url), "utf8");
    const rows = [...page.matchAll(/^\| `([A-Za-z_.]+)` \| ([a-z_]+) \| (\d{3}) \|$/gm)].map(
      ([, code, kind, status]) => ({ code, kind, status: Number(status) }),
    );
    const expected = Object.entries(ERROR_CODES).map(([code, kind]) => ({ code, kind, status: STATUS_OF_KIND[kind] }));
    expect(rows).toEqual(expected);
  });
});
