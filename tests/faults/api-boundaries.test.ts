import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDownload } from "../../packages/local/src/index.ts";
import { startService, type RunningService } from "../support/service.ts";
import { TELCO_PATH } from "../support/telco.ts";

const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

let service: RunningService;
let keyA: string;
let keyB: string;
let completedA: string;
beforeAll(async () => {
  service = await startService("local", { RETAINWISE_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
  [keyA, keyB] = await Promise.all([service.key("account-a"), service.key("account-b")]);
  const upload = await service.api("/v1/predictions", keyA, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: await readFile(TELCO_PATH),
  });
  completedA = ((await upload.json()) as { id: string }).id;
  await service.waitFor(completedA, keyA, "COMPLETED");
});
afterAll(() => service.stop());

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe("account isolation", () => {
  it("account B can neither read, list, download nor delete account A's prediction", async () => {
    expect((await service.api(`/v1/predictions/${completedA}`, keyB)).status).toBe(404);
    expect((await service.api(`/v1/predictions/${completedA}/download`, keyB)).status).toBe(404);
    expect((await service.api(`/v1/predictions/${completedA}`, keyB, { method: "DELETE" })).status).toBe(404);
    const list = (await (await service.api("/v1/predictions", keyB)).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    expect((await service.api(`/v1/predictions/${completedA}`, keyA)).status).toBe(200);
  });
});

describe("the risk chart", () => {
  it("is rendered by the server as SVG: 10 histogram bars and High/Medium/Low counts that add up", async () => {
    const histogram = await service.api(`/v1/predictions/${completedA}/chart.svg`, keyA);
    expect(histogram.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect((await histogram.text()).match(/<rect /g)).toHaveLength(10);
    const risk = await (await service.api(`/v1/predictions/${completedA}/chart.svg?chart=risk`, keyA)).text();
    const counts = [...risk.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(3);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5626);
    expect((await service.api(`/v1/predictions/${completedA}/chart.svg`, keyB)).status).toBe(404);
  });
});

describe("download links", () => {
  it("refuses a link whose signature was tampered with (403) and serves the untouched one", async () => {
    const { url } = (await (await service.api(`/v1/predictions/${completedA}/download`, keyA)).json()) as {
      url: string;
    };
    expect((await fetch(url)).status).toBe(200);
    const tampered = url.replace(/signature=([0-9a-f])/, (_m, c: string) => `signature=${c === "0" ? "1" : "0"}`);
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    const otherFile = url.replace("attempt-1", "attempt-2");
    expect((await fetch(otherFile)).status).toBe(403);
  });

  it("refuses a correctly signed link once it has expired (403)", async () => {
    const row = await service.services.predictions.get(
      (await service.services.accounts.authenticate(keyA))!.id,
      completedA,
    );
    const expired = signDownload({
      publicBaseUrl: service.url,
      key: row!.outputKey!,
      filename: "x.csv",
      expires: Math.floor(Date.now() / 1000) - 1,
      signingSecret: service.config.signingSecret!,
    });
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toMatch(/expired/);
  });
});

const post = (body: BodyInit | null, type: string | null, key = keyA) =>
  service.api("/v1/predictions", key, { method: "POST", body, headers: type ? { "Content-Type": type } : {} });

describe("bad requests get a specific 4xx and leave nothing behind", () => {
  it.each([
    ["a JSON body", JSON.stringify({ rows: [] }), "application/json", 415, "upload.unsupported_type"],
    ["no content type", new TextEncoder().encode("customerID\n1\n"), null, 415, "upload.unsupported_type"],
    ["an empty body", "", "text/csv", 400, "upload.empty"],
    [
      "binary bytes",
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      "text/csv",
      415,
      "upload.not_csv",
    ],
    ["an oversized body", new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(0x41), "text/csv", 413, "upload.too_large"],
  ] as const)("%s", async (_name, body, type, status, code) => {
    const before = await storedInputs();
    const response = await post(body as BodyInit, type);
    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
    expect(await storedInputs()).toEqual(before);
  });

  it("a multipart form without a file field", async () => {
    const form = new FormData();
    form.append("notes", "hello");
    const response = await service.api("/v1/predictions", keyA, { method: "POST", body: form });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("upload.no_file");
  });

  it("missing or wrong credentials", async () => {
    const none = await fetch(`${service.url}/v1/predictions`);
    expect(none.status).toBe(401);
    expect((await errorOf(none)).message).toMatch(/Authorization: Bearer/);
    expect((await service.api("/v1/predictions", "rw_not-a-real-key")).status).toBe(401);
  });

  it("a malformed id, an unknown id and a bad page size", async () => {
    const bad = await service.api("/v1/predictions/12345", keyA);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/must be a prediction id/);
    expect((await service.api("/v1/predictions/00000000-0000-4000-8000-000000000000", keyA)).status).toBe(404);
    expect((await service.api("/v1/predictions?limit=0", keyA)).status).toBe(400);
  });

  it("a download before the prediction is COMPLETED is a 409", async () => {
    // The model's columns, so the upload is accepted, and a row with one field, so the job FAILS (every row bad).
    const header = (await readFile(TELCO_PATH, "utf8")).split("\n")[0];
    const { id } = (await (await post(`${header}\nA-1\n`, "text/csv")).json()) as { id: string };
    const failed = await service.waitFor(id, keyA, "FAILED");
    const response = await service.api(`/v1/predictions/${id}/download`, keyA);
    expect(response.status).toBe(409);
    expect((await errorOf(response)).message).toContain(failed.error.message);
  });
});

describe("load", () => {
  it("50 concurrent uploads all COMPLETE, each scored once", async () => {
    const small = (await readFile(TELCO_PATH, "utf8")).split("\n").slice(0, 201).join("\n") + "\n";
    const ids = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await post(small, "text/csv");
        expect(response.status).toBe(202);
        return ((await response.json()) as { id: string }).id;
      }),
    );
    const finished = await Promise.all(ids.map((id) => service.waitFor(id, keyA, "COMPLETED", 120_000)));
    expect(finished.map((p) => p.status)).toEqual(ids.map(() => "COMPLETED"));
    expect(finished.every((p) => p.attempts === 1 && p.progress.rowsProcessed === 200)).toBe(true);
  });
});

async function storedInputs(): Promise<string[]> {
  return readdir(join(service.dataDir, "files", "inputs")).catch(() => []);
}
