import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, useTestDatabase, type TestDatabase } from "./postgres.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

test("a test database is a real PostgreSQL that round-trips a query", async () => {
  const [row] = await db.sql<{ answerValue: number }[]>`select 41 + 1 as answer_value`;
  expect(row?.answerValue).toBe(42);
});

test("each call creates a separate database", async () => {
  const other = await createTestDatabase();
  try {
    const [a] = await db.sql<{ name: string }[]>`select current_database() as name`;
    const [b] = await other.sql<{ name: string }[]>`select current_database() as name`;
    expect(a?.name).not.toBe(b?.name);
  } finally {
    await other.drop();
  }
});

test("the cluster is the embedded PostgreSQL 18 server", async () => {
  const [row] = await db.sql<{ serverVersionNum: string }[]>`show server_version_num`;
  expect(Number(row?.serverVersionNum)).toBeGreaterThanOrEqual(180000);
});

describe("useTestDatabase", () => {
  const migrated = useTestDatabase({ migrate: true });

  test("gives the block a migrated database of its own", async () => {
    const [row] = await migrated.sql<{ exists: boolean }[]>`select to_regclass('predictions') is not null as exists`;
    expect(row?.exists).toBe(true);
    expect(migrated.url).not.toBe(db.url);
  });
});
