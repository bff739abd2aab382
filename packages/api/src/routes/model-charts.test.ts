import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUILTIN_MODEL_ID } from "@retainwise/core/models";
import { createPostgresModelRepository } from "@retainwise/postgres";
import { startTestApi, type TestApi } from "../test-app.ts";
import { card } from "../ui/test-card.ts";

let api: TestApi;
let key: string;

beforeAll(async () => {
  api = await startTestApi();
  key = await api.key("charts");
  // The built-in row with a term-tables card, as start-up registers the shipped one.
  await createPostgresModelRepository(api.sql).registerBuiltin(card, {
    onnxKey: "models/builtin/test.onnx",
    cardKey: null,
  });
});

afterAll(async () => {
  await api?.stop();
});

const chart = (id: string, query = "", auth = key) =>
  fetch(`${api.url}/v1/models/${id}/chart.svg${query}`, { headers: auth ? { Authorization: `Bearer ${auth}` } : {} });

describe("GET /v1/models/:id/chart.svg", () => {
  test("a READY model's calibration plot is SVG with one point per held-out bin", async () => {
    const response = await chart(BUILTIN_MODEL_ID);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/svg+xml; charset=utf-8");
    const svg = await response.text();
    expect(svg.match(/<circle /g)).toHaveLength(card.metrics!.heldOut.calibration.length);
  });

  test("?chart=importance draws one bar per term of the card, the pair term included", async () => {
    const svg = await (await chart(BUILTIN_MODEL_ID, "?chart=importance")).text();
    expect(svg.match(/data-kind="(main|pair)"/g)).toHaveLength(card.terms.length);
    expect(svg).toContain('data-kind="pair"');
  });

  test("a model still training has no charts yet: 409 saying when they exist", async () => {
    const account = await api.accounts.ensureAccount("charts");
    const id = randomUUID();
    await createPostgresModelRepository(api.sql).create({
      id,
      accountId: account.id,
      name: "bank",
      labelColumn: "churned",
      positiveValue: null,
      inputKey: `k/${id}`,
      inputFilename: "bank.csv",
      inputBytes: 10,
    });
    const response = await chart(id);
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /bank-v1 is QUEUED; its charts exist once it is READY/,
    );
  });

  test("another account's model is not found, and a request without a key is refused", async () => {
    const other = await api.accounts.ensureAccount("someone-else");
    const id = randomUUID();
    await createPostgresModelRepository(api.sql).create({
      id,
      accountId: other.id,
      name: "theirs",
      labelColumn: "churned",
      positiveValue: null,
      inputKey: `k/${id}`,
      inputFilename: "t.csv",
      inputBytes: 10,
    });
    expect((await chart(id)).status).toBe(404);
    expect((await chart(BUILTIN_MODEL_ID, "", "")).status).toBe(401);
  });
});
