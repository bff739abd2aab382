import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { Hono } from "hono";
import { createLogger } from "@retainwise/core/log";
import type { ScoreSummary } from "@retainwise/core/scoring/results";
import { startTestApi, type TestApi } from "./test-app.ts";
import { serveApi } from "./serve.ts";

const CSV = "customerID,tenure,MonthlyCharges\n0001-A,12,70.35\n0002-B,3,99.1\n";
const MAX_UPLOAD_BYTES = 64 * 1024;

let api: TestApi;
let keyA: string;
const logLines: string[] = [];
beforeAll(async () => {
  api = await startTestApi({
    maxUploadBytes: MAX_UPLOAD_BYTES,
    uploadIdleSeconds: 1,
    logger: createLogger({}, { write: (line) => logLines.push(line) }),
  });
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

describe("broken multipart forms and clients", () => {
  const part = (name: string, body: string, filename?: string) =>
    `--XYZ\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}\r\n\r\n${body}\r\n`;

  test.each([
    [
      "a multipart type without a boundary",
      "multipart/form-data",
      part("file", CSV, "a.csv") + "--XYZ--\r\n",
      /Boundary not found/,
    ],
    [
      "a form that ends in the middle of its file part",
      "multipart/form-data; boundary=XYZ",
      part("file", CSV, "a.csv").slice(0, -10),
      /Unexpected end of form/,
    ],
    [
      "a form with hundreds of fields",
      "multipart/form-data; boundary=XYZ",
      Array.from({ length: 300 }, (_, i) => part(`f${i}`, "x")).join("") + part("file", CSV, "a.csv") + "--XYZ--\r\n",
      /more parts than/,
    ],
  ])("%s is a 400 upload.bad_multipart, with nothing stored", async (_name, type, body, message) => {
    const before = await inputFiles();
    const response = await uploadCsv(keyA, body, type);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("upload.bad_multipart");
    expect(error.message).toMatch(message);
    expect(await inputFiles()).toEqual(before);
  });

  test("a file part named otherwise before the 'file' part does not hide it", async () => {
    const body =
      part("attachment", "not this one", "notes.txt") +
      part("comment", "hello") +
      part("file", CSV, "customers.csv") +
      "--XYZ--\r\n";
    const response = await uploadCsv(keyA, body, "multipart/form-data; boundary=XYZ");
    expect(response.status).toBe(202);
    const { id, inputFilename } = (await response.json()) as { id: string; inputFilename: string };
    expect(inputFilename).toBe("customers.csv");
    expect(await objectText(`inputs/${id}.csv`)).toBe(CSV);
  });

  test("a client that disconnects mid-upload is logged as such, not as a server error, and leaves nothing stored", async () => {
    const before = await inputFiles();
    const url = new URL(api.url);
    const sent = httpRequest({
      host: url.hostname,
      port: url.port,
      path: "/v1/predictions",
      method: "POST",
      headers: { Authorization: `Bearer ${keyA}`, "Content-Type": "text/csv", "Content-Length": "60000" },
    });
    sent.on("error", () => {});
    sent.write(CSV);
    await waitUntil(
      () => logLines.some((l) => l.includes("upload abandoned")),
      () => sent.destroy(),
    );
    expect(logLines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    await waitUntil(async () => JSON.stringify(await inputFiles()) === JSON.stringify(before));
  });
});

describe("slow clients", () => {
  test("a client that sends its headers slower than the headers timeout is cut off at it, not half a minute later", async () => {
    const server = await serveApi(new Hono(), { port: 0, host: "127.0.0.1", headersTimeoutSeconds: 2 });
    try {
      const url = new URL(server.url);
      const socket = connect(Number(url.port), url.hostname);
      const started = Date.now();
      socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      // A header line every 300 ms, never the blank line that ends them.
      const drip = setInterval(() => socket.write("X-Slow: 1\r\n"), 300);
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk));
      await new Promise((resolve) => socket.on("close", resolve));
      clearInterval(drip);
      expect(answer).toMatch(/^HTTP\/1.1 408/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close(100);
    }
  });

  test("an upload that sends a few bytes and stalls is answered 408 once idle, and its partial object is removed", async () => {
    const before = await inputFiles();
    const url = new URL(api.url);
    const started = Date.now();
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const sent = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: "/v1/predictions",
          method: "POST",
          headers: { Authorization: `Bearer ${keyA}`, "Content-Type": "text/csv", "Content-Length": "60000" },
        },
        (response) => {
          let body = "";
          response
            .on("data", (chunk) => (body += chunk))
            .on("end", () => resolve({ status: response.statusCode!, body }));
        },
      );
      sent.on("error", reject);
      sent.write("customerID,tenure\nA-1,3");
    });
    const { status, body } = await answer;
    expect(status).toBe(408);
    expect(JSON.parse(body).error.code).toBe("upload.timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitUntil(async () => JSON.stringify(await inputFiles()) === JSON.stringify(before));
  });
});

/** Polls `done` every 20 ms for up to 10 s, after calling `start` once. */
async function waitUntil(done: () => boolean | Promise<boolean>, start?: () => void): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
  start?.();
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("condition not reached in 10 s");
    await new Promise((r) => setTimeout(r, 20));
  }
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

    const detail = (await (await call(`/v1/predictions/${id}`, keyA)).json()) as {
      status: string;
      progress: { percent: number };
    };
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

describe("error reports", () => {
  const ROW_ERRORS = Array.from({ length: 30 }, (_, i) => ({
    row: i + 1,
    customerId: i % 2 ? `C${i}` : `=C, ${i}`,
    reason: "the row has 2 fields but the header has 21",
  }));
  // As the scorer writes it: the same rows, cells spreadsheet-safe (a leading ') and quoted where they must be.
  const REPORT =
    "row,customer_id,error\n" +
    ROW_ERRORS.map((e) => `${e.row},${e.row % 2 ? `"'=C, ${e.row - 1}"` : `C${e.row - 1}`},${e.reason}\n`).join("");

  test("a COMPLETED prediction's report: a presigned URL to all of it (302 with redirect=1), its first rows as CSV with ?limit, and the API reads no object", async () => {
    const { id } = await completedPrediction("x\n1\n", { rowErrors: ROW_ERRORS } as unknown as ScoreSummary);
    await api.store.put(`results/${id}/attempt-1.errors.csv`, Readable.from([REPORT]));
    const reads = vi.spyOn(api.store, "get");
    const link = (await (await call(`/v1/predictions/${id}/errors`, keyA)).json()) as { url: string; filename: string };
    expect(link.filename).toMatch(/-errors\.csv$/);
    const redirect = await call(`/v1/predictions/${id}/errors?redirect=1`, keyA);
    expect(redirect.status).toBe(302);
    const head = await call(`/v1/predictions/${id}/errors?limit=20`, keyA);
    expect(head.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await head.text()).trimEnd().split("\n")).toEqual(REPORT.split("\n").slice(0, 21));
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    const file = await fetch(link.url);
    expect(file.headers.get("content-disposition")).toMatch(/filename="[^"]*-errors\.csv"/);
    expect(await file.text()).toBe(REPORT);
    expect(await errorCode(await call(`/v1/predictions/${id}/errors?limit=101`, keyA))).toBe("request.invalid_limit");
  });

  test("a FAILED prediction keeps its report and first rows when it failed on too many bad rows; one failed before reading rows answers 404 saying why; a queued one 409", async () => {
    const { id } = (await (await uploadCsv(keyA)).json()) as { id: string };
    expect(await errorCode(await call(`/v1/predictions/${id}/errors`, keyA))).toBe("prediction.not_ready");
    const { attempt } = (await api.predictions.claim(id, { staleAfterSeconds: 45 }))!;
    await api.predictions.fail(id, attempt, { code: "csv.missing_columns", message: "The file is missing tenure." });
    const missing = await call(`/v1/predictions/${id}/errors`, keyA);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: {
        code: "error_report.not_found",
        kind: "not_found",
        message: `Prediction ${id} has no error report. It failed before reading its rows: The file is missing tenure.`,
      },
    });

    const bad = (await (await uploadCsv(keyA)).json()) as { id: string };
    const claimed = (await api.predictions.claim(bad.id, { staleAfterSeconds: 45 }))!;
    await api.predictions.fail(bad.id, claimed.attempt, {
      code: "csv.too_many_bad_rows",
      message: "30 of 31 rows could not be scored.",
      details: { rowErrors: ROW_ERRORS.slice(0, 3) },
    });
    await api.store.put(`results/${bad.id}/attempt-1.errors.csv`, Readable.from([REPORT]));
    const head = await (await call(`/v1/predictions/${bad.id}/errors?limit=20`, keyA)).text();
    expect(head).toBe(REPORT.split("\n").slice(0, 4).join("\n") + "\n");
    const link = (await (await call(`/v1/predictions/${bad.id}/errors`, keyA)).json()) as { url: string };
    expect(await (await fetch(link.url)).text()).toBe(REPORT);
  });

  test("DELETE removes the error report too", async () => {
    const { id } = await completedPrediction("x\n1\n");
    await api.store.put(`results/${id}/attempt-1.errors.csv`, Readable.from([REPORT]));
    expect((await call(`/v1/predictions/${id}`, keyA, { method: "DELETE" })).status).toBe(200);
    expect(await api.store.head(`results/${id}/attempt-1.errors.csv`)).toBeNull();
  });
});

describe("listing, limits and health", () => {
  test("the list pages with a cursor and never repeats an item", async () => {
    const first = (await (await call("/v1/predictions?limit=2", keyA)).json()) as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (
      await call(`/v1/predictions?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`, keyA)
    ).json()) as { items: { id: string }[] };
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items.map((p) => p.id)).not.toContain(first.items[0]!.id);
  });

  test("/v1/limits reports the upload limit and accepted types", async () => {
    const body = (await (await call("/v1/limits", keyA)).json()) as Record<string, unknown>;
    expect(body).toEqual({
      maxUploadBytes: MAX_UPLOAD_BYTES,
      maxTrainingBytes: 256 * 2 ** 20,
      maxColumns: 1_000,
      acceptedTypes: expect.arrayContaining(["text/csv"]),
      acceptedExtensions: [".csv", ".txt"],
    });
  });

  test("/healthz and /readyz answer 200 when Postgres, the store and the queue are up", async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  });

  test("/openapi.json documents the predictions and models endpoints and /docs renders a page", async () => {
    const spec = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/v1/predictions", "/v1/predictions/{id}", "/v1/predictions/{id}/download"]),
    );
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/v1/models",
        "/v1/models/{id}",
        "/v1/models/{id}/card",
        "/v1/models/{id}/download",
        "/v1/account/default-model",
      ]),
    );
    const docs = await fetch(`${api.url}/docs`);
    expect(docs.headers.get("content-type")).toMatch(/text\/html/);
  });

  test("/docs renders `code` as code, links back to the app, documents ?filename= and has an icon that exists", async () => {
    const page = await (await fetch(`${api.url}/docs`)).text();
    const body = page.slice(0, page.indexOf("<h2>Schemas</h2>"));
    expect(body).not.toContain("`");
    expect(body).toContain("<code>text/csv</code>");
    expect(body).toContain('<a href="/predictions">');
    expect(body).toContain("?filename=customers.csv");
    expect(page).toContain('<link rel="icon" href="/favicon.ico"');
    for (const path of ["/docs", "/openapi.json", "/v1/predictions"]) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    const icon = await fetch(`${api.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
  });
});

/** Uploads as account A, then completes it through the repository as a worker would. */
async function completedPrediction(
  result: string,
  summary = {} as ScoreSummary, // the API passes metrics through; their shape is the scorer's concern
): Promise<{ id: string; outputKey: string }> {
  const { id } = (await (await uploadCsv(keyA)).json()) as { id: string };
  const claim = await api.predictions.claim(id, { staleAfterSeconds: 45 });
  if (!claim) throw new Error("claim failed");
  const outputKey = `results/${id}/${claim.attempt}.csv`;
  await api.store.put(outputKey, Readable.from([result]), { contentType: "text/csv" });
  expect(
    await api.predictions.complete(id, claim.attempt, {
      outputKey,
      scoresKey: "results/none.scores.jsonl",
      rowsProcessed: 1,
      rowsFailed: 0,
      metrics: summary,
      modelVersion: "test",
    }),
  ).toBe(true);
  return { id, outputKey };
}
