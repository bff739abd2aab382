import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUILTIN_MODEL_ID } from "@retainwise/core/models";
import { startTestApi, type TestApi } from "./test-app.ts";

const LABELED = "customer_id,plan,seats,churned\nA-1,pro,3,yes\nA-2,basic,1,no\n";

let api: TestApi;
let key: string;
beforeAll(async () => {
  // No upload cap: the concurrent-training test needs all its uploads racing for the training limit.
  api = await startTestApi({ maxConcurrentUploads: 100 });
  key = await api.key("acme");
});
afterAll(() => api.stop());

const request = (path: string, init: RequestInit = {}) =>
  fetch(api.url + path, { ...init, headers: { Authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
const train = (query: string, body: string = LABELED) =>
  request(`/v1/models${query}`, { method: "POST", headers: { "Content-Type": "text/csv" }, body });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe("POST /v1/models", () => {
  test("answers 400 naming the parameter when label or name is missing or malformed", async () => {
    const noLabel = await train("?name=bank");
    expect(noLabel.status).toBe(400);
    expect((await errorOf(noLabel)).message).toMatch(/'label' is required/);
    const badName = await train("?label=churned&name=../etc");
    expect(badName.status).toBe(400);
    expect((await errorOf(badName)).code).toBe("request.invalid_name");
  });

  test("finds the label column ignoring case and stores the header's own spelling", async () => {
    const response = await train("?label=Churned&name=bank");
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      labelColumn: "churned",
      name: "bank",
      version: "v1",
      status: "QUEUED",
    });
  });

  test("reads label and name from multipart fields sent before the file, and numbers versions per name", async () => {
    const form = new FormData();
    form.append("label", "churned");
    form.append("name", "bank");
    form.append("file", new Blob([LABELED], { type: "text/csv" }), "history.csv");
    const response = await request("/v1/models", { method: "POST", body: form });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      name: "bank",
      version: "v2",
      label: "bank-v2",
      inputFilename: "history.csv",
    });
  });

  test("refuses a third concurrent training with 429 and says what to do", async () => {
    const response = await train("?label=churned&name=third");
    expect(response.status).toBe(429);
    expect((await errorOf(response)).message).toMatch(/already has 2 models training/);
  });
});

describe("the concurrent-training limit", () => {
  test("holds when many uploads arrive at once: exactly the limit is accepted, the rest get 429 and leave no file behind", async () => {
    const burst = await api.key("burst");
    const upload = (i: number) =>
      fetch(`${api.url}/v1/models?label=churned&name=same`, {
        method: "POST",
        headers: { Authorization: `Bearer ${burst}`, "Content-Type": "text/csv" },
        body: LABELED + `A-${i},pro,2,no\n`,
      });
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(i)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429, 429, 429, 429]);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get("retry-after")).toBe("60");
    const [row] = await api.sql<{ count: number }[]>`
      select count(*)::int as count from models m join accounts a on a.id = m.account_id where a.name = 'burst'`;
    expect(row?.count).toBe(2);
    const accepted = await Promise.all(
      responses.filter((r) => r.status === 202).map(async (r) => ((await r.json()) as { version: string }).version),
    );
    expect(accepted.sort()).toEqual(["v1", "v2"]);
    const { readdir } = await import("node:fs/promises");
    const stored = await readdir(api.dir, { recursive: true });
    expect(stored.filter((f) => String(f).endsWith("training.csv"))).toHaveLength(2 + 2); // acme's two and burst's two
  });
});

describe("choosing models", () => {
  test("a model that is not READY cannot score or become the default: 409 model.not_ready, as on every route", async () => {
    const [queued] = await api.sql<{ id: string }[]>`select id from models where name = 'bank' and version = 1`;
    const scored = await request(`/v1/predictions?model=${queued!.id}`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: "customerID\nA\n",
    });
    expect(scored.status).toBe(409);
    expect((await errorOf(scored)).code).toBe("model.not_ready");
    const put = await request("/v1/account/default-model", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ modelId: queued!.id }),
    });
    expect(put.status).toBe(409);
    expect((await errorOf(put)).code).toBe("model.not_ready");
  });

  test("a body that is not JSON, or nests 10,000 levels deep, is a 400 request.invalid_body, never a 500", async () => {
    const put = (body: string) =>
      request("/v1/account/default-model", { method: "PUT", headers: { "Content-Type": "application/json" }, body });
    const deep = await put("[".repeat(10_000) + "]".repeat(10_000));
    expect(deep.status).toBe(400);
    expect(await errorOf(deep)).toMatchObject({
      code: "request.invalid_body",
      message: expect.stringMatching(/deeper than 32 levels/),
    });
    const notJson = await put("{modelId:");
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).code).toBe("request.invalid_body");
  });

  test("the built-in model cannot be deleted", async () => {
    const response = await request(`/v1/models/${BUILTIN_MODEL_ID}`, { method: "DELETE" });
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe("model.builtin");
  });

  test("a malformed model id is a 400, an unknown one a 404", async () => {
    expect((await request("/v1/models/nope")).status).toBe(400);
    expect((await request("/v1/models/3f1c0a9e-0000-4000-8000-000000000000")).status).toBe(404);
  });
});
