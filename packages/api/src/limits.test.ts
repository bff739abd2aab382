import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestApp, startTestApi, type TestApi, type TestApp } from "./test-app.ts";

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
  return {
    response: call(
      "/v1/predictions",
      { method: "POST", body, duplex: "half", headers: { "Content-Type": "text/csv" } },
      token,
    ),
    reading,
    finish,
  };
}

describe("concurrent uploads per account", () => {
  test("past the cap an upload is refused with 429 and Retry-After, other accounts are not affected, and a finished upload frees its slot", async () => {
    const own = await t.key("uploads");
    const other = await t.key("uploads-other");
    const held = [slowUpload(own), slowUpload(own)];
    await t.uploadsStored(2); // both hold their slot
    const refused = await call(
      "/v1/predictions",
      { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } },
      own,
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("upload.too_many");
    const elsewhere = await call(
      "/v1/predictions",
      { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } },
      other,
    );
    expect(elsewhere.status).toBe(202);

    for (const upload of held) upload.finish();
    expect((await Promise.all(held.map((u) => u.response))).map((r) => r.status)).toEqual([202, 202]);
    const after = await call(
      "/v1/predictions",
      { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } },
      own,
    );
    expect(after.status).toBe(202);
  });

  test("a refused or failed upload gives its slot back too", async () => {
    const own = await t.key("failing");
    for (let i = 0; i < 3; i++) {
      const bad = await call(
        "/v1/predictions",
        { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } },
        own,
      );
      expect(bad.status).toBe(415);
    }
    const good = await call(
      "/v1/predictions",
      { method: "POST", body: CSV, headers: { "Content-Type": "text/csv" } },
      own,
    );
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
    expect(((await limited.json()) as { error: { code: string; kind: string } }).error).toMatchObject({
      code: "rate.limited",
      kind: "rate_limited",
    });
    expect((await call("/v1/predictions")).status).toBe(200);
  });

  test("made-up keys are limited too, before they cost a database lookup", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await call("/v1/predictions", {}, "not-a-key")).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe("refused keys per client address", () => {
  /** Over real HTTP, so the address is a socket's or the load balancer's X-Forwarded-For. */
  async function get(api: TestApi, token: string, forwardedFor?: string): Promise<Response> {
    return fetch(`${api.url}/v1/predictions`, {
      headers: { Authorization: `Bearer ${token}`, ...(forwardedFor ? { "X-Forwarded-For": forwardedFor } : {}) },
    });
  }
  const madeUp = () => `rw_${randomBytes(24).toString("base64url")}`;

  test("a flood of made-up keys from one address gets 429 once its budget is spent, before any more lookups", async () => {
    const api = await startTestApi({ authFailuresPerMinute: 20 });
    try {
      const statuses: number[] = [];
      const started = Date.now();
      for (let i = 0; i < 200; i++) statuses.push((await get(api, madeUp())).status);
      // The budget refills at 20 a minute, so a slow machine earns a token every 3 s of the loop.
      const refilled = Math.ceil(((Date.now() - started) * 20) / 60_000);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20 + refilled);
      // A good key from the flooding address waits too: telling it apart would take the lookup the limit saves.
      const good = await get(api, await api.key("flooded"));
      expect(good.status).toBe(429);
      expect(Number(good.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await good.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "rate.auth_failures",
        message: expect.stringMatching(/more than 20 requests from this address/i),
      });
    } finally {
      await api.stop();
    }
  });

  test("behind the load balancer the address is the one it appended, and other addresses go on", async () => {
    const api = await startTestApi({ authFailuresPerMinute: 5, trustedProxyHops: 1 });
    try {
      const key = await api.key("behind-lb");
      for (let i = 0; i < 5; i++) expect((await get(api, madeUp(), "203.0.113.7")).status).toBe(401);
      // What the client wrote itself sits left of the load balancer's entry: it does not move it to a fresh budget.
      expect((await get(api, madeUp(), "198.51.100.1, 203.0.113.7")).status).toBe(429);
      expect((await get(api, key, "203.0.113.7")).status).toBe(429);
      expect((await get(api, key, "198.51.100.9")).status).toBe(200);
      // Good keys spend nothing of an address's budget.
      for (let i = 0; i < 10; i++) expect((await get(api, key, "192.0.2.1")).status).toBe(200);
      expect((await get(api, madeUp(), "192.0.2.1")).status).toBe(401);
    } finally {
      await api.stop();
    }
  });
});
