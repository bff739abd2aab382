import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PUBLIC_V1_PATHS } from "./routes/v1.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/** The `/v1` routes the app answers, as Hono lists them (middleware, method ALL, left out), `:id` filled in. */
function v1Routes(t: TestApp): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const route of t.app.routes) {
    if (route.method === "ALL" || !route.path.startsWith("/v1/")) continue;
    seen.set(`${route.method} ${route.path}`, {
      method: route.method,
      path: route.path.replace(/:id\b/g, randomUUID()),
    });
  }
  return [...seen.values()];
}

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await createTestApp();
  key = await t.key("routes");
});
afterAll(() => t?.close());

const call = (path: string, init: RequestInit = {}) =>
  Promise.resolve(t.app.request(path, { ...init, headers: { Authorization: `Bearer ${key}`, ...init.headers } }));
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string } }).error;

describe("auth, mounted once on /v1/*", () => {
  test("every /v1 route but the public ones answers 401 auth.missing without a key, before its handler runs", async () => {
    const routes = v1Routes(t);
    // The routers' own subpaths are all there (a resource router mounted elsewhere would drop some).
    expect(routes.length).toBeGreaterThan(25);
    for (const { method, path } of routes) {
      const response = await t.app.request(path, { method });
      if (PUBLIC_V1_PATHS.has(path)) expect([method, path, response.status]).toEqual([method, path, 200]);
      else
        expect([method, path, response.status, (await errorOf(response)).code]).toEqual([
          method,
          path,
          401,
          "auth.missing",
        ]);
    }
  });

  test("an unknown /v1 path is 404 route.not_found with a key", async () => {
    const response = await call("/v1/predictions/x/nowhere");
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("route.not_found");
  });
});

describe("training from a prediction", () => {
  test("POST /v1/predictions/:id/train and its alias POST /v1/models?fromPrediction= answer alike", async () => {
    const created = await call("/v1/predictions", {
      method: "POST",
      body: "customerID,tenure\nA,1\n",
      headers: { "Content-Type": "text/csv" },
    });
    const { id } = (await created.json()) as { id: string };
    for (const path of [`/v1/predictions/${id}/train?name=again`, `/v1/models?fromPrediction=${id}&name=again`]) {
      const queued = await call(path, { method: "POST" });
      expect([path, queued.status, (await errorOf(queued)).code]).toEqual([path, 409, "prediction.not_ready"]);
    }
    for (const path of [
      `/v1/predictions/${randomUUID()}/train?name=x`,
      `/v1/models?fromPrediction=${randomUUID()}&name=x`,
    ]) {
      const unknown = await call(path, { method: "POST" });
      expect([path, unknown.status, (await errorOf(unknown)).code]).toEqual([path, 404, "prediction.not_found"]);
    }
    const badName = await call(`/v1/predictions/${id}/train?name=../x`, { method: "POST" });
    expect((await errorOf(badName)).code).toBe("request.invalid_name");
  });
});
