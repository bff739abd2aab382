import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ScoreSummary } from "@retainwise/core";
import { startTestApi, type TestApi } from "./test-app.ts";

const CSV = "customerID,tenure,MonthlyCharges\n0001-A,12,70.35\n0002-B,3,99.1\n";
const MAX_UPLOAD_BYTES = 64 * 1024;

let api: TestApi;
let keyA: string;
beforeAll(async () => {
  api = await startTestApi({ maxUploadBytes: MAX_UPLOAD_BYTES });
  keyA = await api.key("acme");
});
afterAll(() => api?.stop());

function call(path: string, key: string | null, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key) headers.set("Authorization", `Bearer ${key}`);
  return fetch(api.url + path, { ...init, headers, redirect: "manual" });
}

function uploadCsv(key: string, body: BodyInit = CSV, contentType = "text/csv"): Promise<Response> {
  return call("/v1/predictions", key, { method: "POST", body, headers: { "Content-Type": contentType } });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

async function objectText(key: string): Promise<string> {
  return text(await api.store.get(key));
}

describe("uploads over real HTTP", () => {
  test("a raw text/csv upload is accepted with 202, a Location, and the input stored byte for byte", async () => {
    const response = await uploadCsv(keyA);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string; inputBytes: number };
    expect(response.headers.get("location")).toBe(`/v1/predictions/${body.id}`);
    expect(body.status).toBe("QUEUED");
    expect(body.inputBytes).toBe(Buffer.byteLength(CSV));
    expect(await objectText(`inputs/${body.id}.csv`)).toBe(CSV);
  });

  test("a multipart upload with a file field is accepted and keeps the file's name", async () => {
    const form = new FormData();
    form.append("file", new Blob([CSV], { type: "text/csv" }), "customers.csv");
    const response = await call("/v1/predictions", keyA, { method: "POST", body: form });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; inputFilename: string };
    expect(body.inputFilename).toBe("customers.csv");
    expect(await objectText(`inputs/${body.id}.csv`)).toBe(CSV);
  });

  test("an upload over the limit is refused with 413 naming the limit, and leaves no object behind", async () => {
    const before = await inputFiles();
    const big = "a,b\n" + "1,2\n".repeat(MAX_UPLOAD_BYTES / 2);
    const response = await uploadCsv(keyA, big);
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("upload.too_large");
    expect(body.error.message).toContain("64 KiB limit");
    expect(await inputFiles()).toEqual(before);
  });

});

/** Files under `<dir>/inputs` (temp files included): a refused upload must leave none behind. */
async function inputFiles(): Promise<string[]> {
  return readdir(join(api.dir, "inputs")).catch(() => []);
}

describe("ids", () => {
  test("a malformed id is refused with 400 request.bad_id", async () => {
    const response = await call("/v1/predictions/not-a-uuid", keyA);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe("request.bad_id");
  });

});

describe("downloads", () => {
  test("after completion the signed URL serves the result; redirect=1 answers 302 to it", async () => {
    const { id, outputKey } = await completedPrediction("customerID,churn_probability\n0001-A,0.12\n");
    const response = await call(`/v1/predictions/${id}/download`, keyA);
    expect(response.status).toBe(200);
    const link = (await response.json()) as { url: string; expiresAt: string; filename: string };
    expect(link.filename).toMatch(/-scored\.csv$/);
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const file = await fetch(link.url);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("customerID,churn_probability\n0001-A,0.12\n");

    const redirect = await call(`/v1/predictions/${id}/download?redirect=1`, keyA);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toContain(`/files/${outputKey}`);

    const detail = (await (await call(`/v1/predictions/${id}`, keyA)).json()) as { status: string; progress: { percent: number } };
    expect(detail.status).toBe("COMPLETED");
    expect(detail.progress.percent).toBe(100);
  });

  test("DELETE cancels the prediction and removes its input and output objects", async () => {
    const { id, outputKey } = await completedPrediction("x\n1\n");
    const response = await call(`/v1/predictions/${id}`, keyA, { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(await api.store.head(`inputs/${id}.csv`)).toBeNull();
    expect(await api.store.head(outputKey)).toBeNull();
  });
});

describe("listing, limits and health", () => {
  test("the list pages with a cursor and never repeats an item", async () => {
    const first = (await (await call("/v1/predictions?limit=2", keyA)).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (await call(`/v1/predictions?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`, keyA)).json()) as { items: { id: string }[] };
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items.map((p) => p.id)).not.toContain(first.items[0]!.id);
  });

  test("/v1/limits reports the upload limit and accepted types", async () => {
    const body = (await (await call("/v1/limits", keyA)).json()) as Record<string, unknown>;
    expect(body).toEqual({ maxUploadBytes: MAX_UPLOAD_BYTES, acceptedTypes: expect.arrayContaining(["text/csv"]), acceptedExtensions: [".csv", ".txt"] });
  });

  test("/healthz and /readyz answer 200 when Postgres, the store and the queue are up", async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  });

  test("/openapi.json documents the predictions and models endpoints and /docs renders a page", async () => {
    const spec = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/v1/predictions", "/v1/predictions/{id}", "/v1/predictions/{id}/download"]));
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/v1/models", "/v1/models/{id}", "/v1/models/{id}/card", "/v1/models/{id}/download", "/v1/account/default-model"]));
    const docs = await fetch(`${api.url}/docs`);
    expect(docs.headers.get("content-type")).toMatch(/text\/html/);
  });
});

/** Uploads as account A, then completes it through the repository as a worker would. */
async function completedPrediction(result: string): Promise<{ id: string; outputKey: string }> {
  const { id } = (await (await uploadCsv(keyA)).json()) as { id: string };
  const claim = await api.predictions.claim(id, { staleAfterSeconds: 45 });
  if (!claim) throw new Error("claim failed");
  const outputKey = `results/${id}/${claim.attempt}.csv`;
  await api.store.put(outputKey, Readable.from([result]), { contentType: "text/csv" });
  const summary = {} as ScoreSummary; // the API passes metrics through; their shape is the scorer's concern
  expect(await api.predictions.complete(id, claim.attempt, { outputKey, rowsProcessed: 1, rowsFailed: 0, metrics: summary, modelVersion: "test" })).toBe(true);
  return { id, outputKey };
}
