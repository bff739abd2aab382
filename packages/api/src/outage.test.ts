import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTcpProxy, type TcpProxy } from "../../../tests/support/tcp-proxy.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/**
 * A database outage, as the API sees it: its connections to a real PostgreSQL go through a proxy
 * that is then cut (open connections dropped, new ones accepted and never answered, like a dead
 * host). The connect timeout is the services' default.
 */
const CONNECT_TIMEOUT_SECONDS = 1.5;
const CSV = "customerID,tenure,MonthlyCharges\n0001-A,12,70.35\n";

let t: TestApp;
let proxy: TcpProxy;
let key: string;
beforeAll(async () => {
  t = await createTestApp({}, 0, {
    connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS,
    via: async (url) => {
      const direct = new URL(url);
      proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
      direct.port = String(proxy.port);
      return direct.toString();
    },
  });
  key = await t.key("outage");
});
afterAll(async () => {
  await t?.close();
  await proxy?.close();
});

async function timed(path: string, init: RequestInit = {}): Promise<{ response: Response; ms: number }> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${key}`);
  const started = performance.now();
  const response = await t.app.request(path, { ...init, headers });
  return { response, ms: performance.now() - started };
}

describe("during a database outage", () => {
  test("uploads and reads answer 503 with Retry-After within 2 s, and leave no job, key or file behind", async () => {
    proxy.blackhole();
    try {
      const upload = await timed("/v1/predictions", {
        method: "POST",
        body: CSV,
        headers: { "Content-Type": "text/csv", "Idempotency-Key": "during-outage" },
      });
      expect(upload.response.status).toBe(503);
      expect(upload.response.headers.get("retry-after")).toBe("5");
      expect(((await upload.response.json()) as { error: { kind: string } }).error.kind).toBe("unavailable");
      expect(upload.ms).toBeLessThan(2000);

      const read = await timed("/v1/predictions");
      expect(read.response.status).toBe(503);
      expect(read.ms).toBeLessThan(2000);
    } finally {
      proxy.restore();
    }
    const [rows] = await t.db.sql<{ predictions: number; keys: number }[]>`
      select (select count(*)::int from predictions) as predictions, (select count(*)::int from idempotency_keys) as keys`;
    expect(rows).toEqual({ predictions: 0, keys: 0 });
    expect(await readdir(join(t.dir, "inputs")).catch(() => [])).toEqual([]);
  });

  test("once the database is back, the same request with the same key goes through", async () => {
    const after = await timed("/v1/predictions", {
      method: "POST",
      body: CSV,
      headers: { "Content-Type": "text/csv", "Idempotency-Key": "during-outage" },
    });
    expect(after.response.status).toBe(202);
  });
});
