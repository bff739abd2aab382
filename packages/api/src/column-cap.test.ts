import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

/** Issue 26, item 2: the column cap (`RETAINWISE_MAX_COLUMNS`), here 50, checked on the header before anything is stored. */
let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await createTestApp({ maxColumns: 50 });
  key = await t.key("wide");
});
afterAll(() => t?.close());

/** A labeled file of `columns` columns in all (id and label included), two rows. */
function wideFile(columns: number): string {
  const features = Array.from({ length: columns - 2 }, (_, i) => `f${i}`);
  const row = (id: string, churned: string) => [id, ...features.map((_, i) => String(i)), churned].join(",");
  return `${["customerID", ...features, "churned"].join(",")}\n${row("A-1", "yes")}\n${row("A-2", "no")}\n`;
}

function upload(path: string, body: string): Promise<Response> {
  return Promise.resolve(
    t.app.request(path, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "text/csv" },
      body,
    }),
  );
}

const stored = async () => {
  const [row] = await t.db.sql<{ count: number }[]>`
    select (select count(*) from predictions) + (select count(*) from models where account_id is not null) as count`;
  return Number(row!.count);
};

describe("the column cap", () => {
  test.each([
    ["to score", "/v1/predictions"],
    ["to train on", "/v1/models?label=churned&name=wide"],
  ])(
    "answers 400 for a file %s wider than the cap, naming the cap and the file's count, storing nothing",
    async (_what, path) => {
      const response = await upload(path, wideFile(51));
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; message: string; details: unknown } };
      expect(error.code).toBe("csv.too_many_columns");
      expect(error.message).toMatch(/^The file has 51 columns; at most 50 are accepted \(the column cap\)/);
      expect(error.details).toEqual({ columns: 51, maxColumns: 50 });
      expect(await stored()).toBe(0);
    },
  );

  test("is listed in /v1/limits, and a file at the cap is taken", async () => {
    const limits = (await (await t.app.request("/v1/limits")).json()) as { maxColumns: number };
    expect(limits.maxColumns).toBe(50);
    expect((await upload("/v1/models?label=churned&name=wide", wideFile(50))).status).toBe(202);
  });
});
