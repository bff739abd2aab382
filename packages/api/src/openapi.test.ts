import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ERROR_CODES, kindOf, type ErrorCode } from "@retainwise/core/errors";
import { STATUS_OF_KIND } from "./errors.ts";
import { apiRoutes, openApiPath } from "./openapi/document.ts";
import { isOutsideTheApi } from "./openapi/route-docs.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

type Operation = {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { "x-error-codes"?: string[] }>;
  security: unknown[];
};
type Document = { paths: Record<string, Record<string, Operation>> };

let t: TestApp;
let document: Document;
beforeAll(async () => {
  t = await createTestApp();
  document = (await (await t.app.request("/openapi.json")).json()) as Document;
});
afterAll(() => t?.close());

const operation = (method: string, path: string) => document.paths[path]![method]!;
const statuses = (method: string, path: string) => Object.keys(operation(method, path).responses).map(Number);

describe("/openapi.json, generated from the routes", () => {
  test("documents exactly the routes the router has: none missing, none that is not there", () => {
    // Walked here from Hono's own list, apart from the generator: every route but the web UI's.
    const routed = new Set<string>();
    const byRoute = new Map<string, object[]>();
    for (const r of t.app.routes)
      if (r.method !== "ALL")
        byRoute.set(`${r.method} ${r.path}`, [...(byRoute.get(`${r.method} ${r.path}`) ?? []), r.handler]);
    for (const [id, handlers] of byRoute) {
      if (handlers.some(isOutsideTheApi)) continue;
      const [method, path] = id.split(" ");
      routed.add(`${method!.toLowerCase()} ${openApiPath(path!)}`);
    }
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`)),
    );
    expect([...documented].sort()).toEqual([...routed].sort());
    expect(apiRoutes(t.app).undocumented).toEqual([]);
    // The .svg pictures are routes like any other.
    expect(documented).toContain("get /v1/predictions/{id}/chart.svg");
    expect(documented).toContain("get /v1/insights/trends.svg");
  });

  test("has only real paths: no query string in a path, every {param} declared", () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      expect(path).not.toMatch(/[?=]/);
      for (const op of Object.values(methods)) {
        for (const [, name] of path.matchAll(/\{(\w+)\}/g))
          expect(op.parameters?.some((p) => p.name === name && p.in === "path")).toBe(true);
      }
    }
    expect(Object.keys(document.paths)).toContain("/v1/predictions/{id}/train");
  });

  test("lists each route's own statuses, each failure under the status its code's kind answers", () => {
    for (const methods of Object.values(document.paths)) {
      for (const op of Object.values(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          for (const code of response["x-error-codes"] ?? []) {
            expect(Object.keys(ERROR_CODES)).toContain(code);
            expect([code, STATUS_OF_KIND[kindOf(code as ErrorCode)]]).toEqual([code, Number(status)]);
          }
        }
      }
    }
    expect(statuses("get", "/v1/limits")).toEqual([200, 429]);
    expect(operation("get", "/v1/limits").security).toEqual([]);
    expect(statuses("post", "/v1/predictions")).toEqual([202, 400, 401, 404, 408, 409, 413, 415, 429, 503]);
    expect(statuses("get", "/v1/predictions/{id}")).toEqual([200, 400, 401, 404, 429, 503]);
    expect(statuses("get", "/v1/predictions/{id}/download")).toEqual([200, 302, 400, 401, 404, 409, 429, 503]);
    expect(statuses("get", "/healthz")).toEqual([200]);
    expect(operation("get", "/v1/predictions/{id}/errors").responses["404"]?.["x-error-codes"]).toEqual([
      "prediction.not_found",
      "error_report.not_found",
    ]);
    // The upload guard's codes only where it runs.
    expect(operation("post", "/v1/predictions").responses["429"]?.["x-error-codes"]).toContain("upload.too_many");
    expect(operation("post", "/v1/predictions/{id}/retry").responses["429"]?.["x-error-codes"]).not.toContain(
      "upload.too_many",
    );
    expect(operation("post", "/v1/predictions").parameters?.map((p) => p.name)).toContain("Idempotency-Key");
  });

  test("answers what it documents: a route's real failures carry documented statuses and codes", async () => {
    const key = await t.key("openapi");
    const call = (path: string, init: RequestInit = {}) =>
      Promise.resolve(t.app.request(path, { ...init, headers: { Authorization: `Bearer ${key}`, ...init.headers } }));
    const created = await call("/v1/predictions", {
      method: "POST",
      body: "customerID,tenure\nA,1\n",
      headers: { "Content-Type": "text/csv" },
    });
    const { id } = (await created.json()) as { id: string };
    const answered: [string, string, Response][] = [
      ["get", "/v1/predictions/{id}/chart.svg", await call(`/v1/predictions/${id}/chart.svg`)],
      ["get", "/v1/predictions/{id}/errors", await call(`/v1/predictions/${id}/errors`)],
      ["get", "/v1/predictions/{id}/download", await call(`/v1/predictions/${id}/download`)],
      ["get", "/v1/predictions", await call("/v1/predictions?limit=0")],
      ["get", "/v1/insights/trends", await call("/v1/insights/trends?from=2026-02-01&to=2026-01-01")],
      ["put", "/v1/account/default-model", await call("/v1/account/default-model", { method: "PUT", body: "{}" })],
      ["get", "/v1/models/{id}", await call("/v1/models/nope")],
    ];
    for (const [method, path, response] of answered) {
      const { code } = ((await response.json()) as { error: { code: string } }).error;
      expect([path, code, operation(method, path).responses[String(response.status)]?.["x-error-codes"]]).toEqual([
        path,
        code,
        expect.arrayContaining([code]),
      ]);
    }
  });
});
