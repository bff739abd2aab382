import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUILTIN_MODEL_ID } from "@retainwise/core/models";
import { ERROR_CODES, STATUS_OF_KIND, type ErrorCode } from "@retainwise/core/errors";
import { createTestApp, type TestApp } from "./test-app.ts";

const PACKAGES = new URL("../../", import.meta.url).pathname;

/** Product source (tests and the list itself left out): where a code must be thrown for it to be listed. */
async function productSource(): Promise<string> {
  const texts: string[] = [];
  for (const pkg of await readdir(PACKAGES)) {
    const src = join(PACKAGES, pkg, "src");
    for (const file of await readdir(src, { recursive: true }).catch(() => [] as string[])) {
      if (
        !/\.(ts|js)$/.test(file) ||
        file.endsWith(".test.ts") ||
        join(src, file).endsWith(join("core", "src", "errors.ts"))
      )
        continue;
      texts.push(await readFile(join(src, file), "utf8"));
    }
  }
  return texts.join("\n");
}

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await createTestApp();
  key = await t.key("codes");
});
afterAll(() => t?.close());

const call = (path: string, init: RequestInit = {}) =>
  Promise.resolve(t.app.request(path, { ...init, headers: { Authorization: `Bearer ${key}`, ...init.headers } }));
const csv = { "Content-Type": "text/csv" };
const json = (body: string) => ({ method: "PUT", body, headers: { "Content-Type": "application/json" } });

/** One request per validated field that gets it wrong, and the code it must answer. */
const INVALID_FIELDS: [ErrorCode, string, RequestInit?][] = [
  ["request.invalid_limit", "/v1/predictions?limit=0"],
  ["request.invalid_cursor", "/v1/models?cursor=garbage!"],
  ["request.invalid_model", "/v1/predictions?model=nope", { method: "POST", body: "customerID\nA\n", headers: csv }],
  [
    "request.invalid_challenger",
    "/v1/predictions?challenger=nope",
    { method: "POST", body: "customerID\nA\n", headers: csv },
  ],
  [
    "request.invalid_idColumn",
    "/v1/predictions?idColumn=%20",
    { method: "POST", body: "customerID\nA\n", headers: csv },
  ],
  ["request.invalid_label", "/v1/models?name=bank&label=%20", { method: "POST", body: "a,b\n1,2\n", headers: csv }],
  ["request.invalid_name", "/v1/models?label=b&name=../x", { method: "POST", body: "a,b\n1,2\n", headers: csv }],
  [
    "request.invalid_positive",
    "/v1/models?label=b&name=x&positive=%20",
    { method: "POST", body: "a,b\n1,2\n", headers: csv },
  ],
  ["request.invalid_modelId", "/v1/account/default-model", json('{"modelId":"nope"}')],
  ["request.invalid_actionable", `/v1/models/${BUILTIN_MODEL_ID}/settings`, json('{"actionable":["Contract",""]}')],
  ["request.invalid_body", "/v1/account/default-model", json("[")],
  ["request.invalid_from", "/v1/insights/trends?from=someday"],
  ["request.invalid_to", "/v1/insights/trends?to=someday"],
  ["request.invalid_bucket", "/v1/insights/trends?bucket=month"],
];

describe("the closed list of error codes", () => {
  test("has no code that nothing answers: each is thrown in the product, or is a validated field's", async () => {
    const source = await productSource();
    const fields = new Set(INVALID_FIELDS.map(([code]) => code));
    const unthrown = Object.keys(ERROR_CODES).filter(
      (code) => !source.includes(`"${code}"`) && !fields.has(code as ErrorCode),
    );
    expect(unthrown).toEqual([]);
  });

  test("answers each validated field's own code, under the input status", async () => {
    const parameterCodes = Object.keys(ERROR_CODES).filter(
      (code) =>
        code.startsWith("request.invalid_") &&
        code !== "request.invalid_range" &&
        code !== "request.invalid_idempotency_key",
    );
    expect(INVALID_FIELDS.map(([code]) => code).sort()).toEqual(parameterCodes.sort());
    for (const [code, path, init] of INVALID_FIELDS) {
      const response = await call(path, init);
      const body = (await response.json()) as { error: { code: string; kind: string } };
      expect([path, response.status, body.error.code, body.error.kind]).toEqual([
        path,
        STATUS_OF_KIND.input,
        code,
        "input",
      ]);
    }
  });
});
