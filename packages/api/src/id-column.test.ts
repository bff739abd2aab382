import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestApi, type TestApi } from "./test-app.ts";

/**
 * `POST /v1/predictions?idColumn=` over real HTTP and Postgres: validated, stored with the
 * prediction and shown on it (the worker's scoring with it is tested in tests/worker).
 */
let api: TestApi;
let key: string;

beforeAll(async () => {
  api = await startTestApi();
  key = await api.key("acme");
});
afterAll(() => api.stop());

const request = (path: string, init: RequestInit = {}) =>
  fetch(api.url + path, { ...init, headers: { Authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
const upload = (query: string) =>
  request(`/v1/predictions${query}`, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: "CLIENTNUM,tenure\n768805383,3\n",
  });

describe("POST /v1/predictions?idColumn=", () => {
  test("stores the id column with the prediction and shows it", async () => {
    const response = await upload("?idColumn=%20CLIENTNUM%20");
    expect(response.status).toBe(202);
    const created = (await response.json()) as { id: string; idColumn: string | null };
    expect(created.idColumn).toBe("CLIENTNUM");
    expect(await (await request(`/v1/predictions/${created.id}`)).json()).toMatchObject({ idColumn: "CLIENTNUM" });
    const [row] = await api.sql<{ idColumn: string }[]>`select id_column from predictions where id = ${created.id}`;
    expect(row?.idColumn).toBe("CLIENTNUM");
  });

  test("is null without the parameter: the scorer then takes the model's identifier column", async () => {
    const created = (await (await upload("")).json()) as { idColumn: string | null };
    expect(created.idColumn).toBeNull();
  });

  test.each([
    ["empty", "?idColumn=", /The query parameter 'idColumn' must not be empty: name a column of the file/],
    [
      "longer than 200 characters",
      `?idColumn=${"x".repeat(201)}`,
      /The query parameter 'idColumn' must be at most 200 characters/,
    ],
  ])("answers 400 for an id column %s, before storing anything", async (_name, query, message) => {
    const response = await upload(query);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("request.invalid_idColumn");
    expect(error.message).toMatch(message);
  });
});
