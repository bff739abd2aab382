import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

const CSV = "customerID,tenure,MonthlyCharges\n0001-A,12,70.35\n";

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await createTestApp({ maxConcurrentUploads: 2, rateLimitPerMinute: 30 });
  key = await t.key("limits");
});
afterAll(() => t?.close());

function call(path: string, init: RequestInit & { duplex?: "half" } = {}, token = key): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return Promise.resolve(t.app.request(path, { ...init, headers }));
}

/**
 * An upload whose body ends only when `finish()` is called: it holds its slot until then.
 * `reading` resolves once the server pulls the body, i.e. after the upload took its slot.
 */
function slowUpload(token: string): { response: Promise<Response>; reading: Promise<void>; finish(): void } {
  let finish!: () => void;
  let pulled!: () => void;
  const reading = new Promise<void>((resolve) => (pulled = resolve));
  const ended = new Promise<void>((resolve) => (finish = resolve));
  let sent = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode(CSV));
          pulled();
          return;
        }
        await ended;
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { response: call("/v1/predictions", { method: "POST", body, duplex: "half", headers: { "Content-Type": "text/csv" } }, token), reading, finish };
}

describe("concurrent uploads per account", () => {
  test("past the cap an upload is refused with 429 and Retry-After, other accounts are not affected, and a finished upload frees its slot", async () => {
    const own = await t.key("uploads");
    const other = await t.key("uploads-other");
    const held = [slowUpload(own), slowUpload(own)];
    await t.uploadsStored(2); // both hold their slot
    const refused = await call("/v1/predictions", { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } }, own);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("upload.too_many");
    const elsewhere = await call("/v1/predictions", { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } }, other);
    expect(elsewhere.status).toBe(202);

    for (const upload of held) upload.finish();
    expect((await Promise.all(held.map((u) => u.response))).map((r) => r.status)).toEqual([202, 202]);
    const after = await call("/v1/predictions", { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } }, own);
    expect(after.status).toBe(202);
  });

  test("a refused or failed upload gives its slot back too", async () => {
    const own = await t.key("failing");
    for (let i = 0; i < 3; i++) {
      const bad = await call("/v1/predictions", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } }, own);
      expect(bad.status).toBe(415);
    }
    const good = await call("/v1/predictions", { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } }, own);
    expect(good.status).toBe(202);
  });
});

describe("request rate per key", () => {
  test("past the per-minute budget a key gets 429 with Retry-After, while another key goes on", async () => {
    const busy = await t.key("busy");
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await call("/v1/predictions", {}, busy)).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    const limited = await call("/v1/predictions", {}, busy);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(2);
    expect(((await limited.json()) as { error: { code: string; kind: string } }).error).toMatchObject({ code: "rate.limited", kind: "rate_limited" });
    expect((await call("/v1/predictions")).status).toBe(200);
  });

  test("made-up keys are limited too, before they cost a database lookup", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await call("/v1/predictions", {}, "not-a-key")).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});
