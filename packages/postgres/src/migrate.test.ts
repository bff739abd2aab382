import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { connect } from "./connect.ts";
import { migrate, MIGRATIONS_DIR } from "./migrate.ts";

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

test("migrate applies every migration once and then has nothing left to do", async () => {
  const db = await freshDatabase();
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
  expect(await migrate(db.sql)).toEqual(files);
  expect(await migrate(db.sql)).toEqual([]);
  const tables = await db.sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public' order by 1`;
  expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(["accounts", "api_keys", "predictions", "job_queue", "schema_migrations"]));
});

test("two migrators running at once apply each migration exactly once", async () => {
  const db = await freshDatabase();
  const other = connect(db.url, { max: 2 });
  try {
    const [a, b] = await Promise.all([migrate(db.sql), migrate(other)]);
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
    expect([...a!, ...b!].sort()).toEqual(files);
    const [row] = await db.sql<{ count: number }[]>`select count(*) as count from schema_migrations`;
    expect(row?.count).toBe(files.length);
  } finally {
    await other.end();
  }
});

test("a migration edited after it was applied stops migrate with a clear error", async () => {
  const db = await freshDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-migrations-"));
  try {
    await fs.writeFile(path.join(dir, "0001_widgets.sql"), "create table widgets (id int);");
    await migrate(db.sql, dir);
    await fs.writeFile(path.join(dir, "0001_widgets.sql"), "create table widgets (id bigint);");
    await expect(migrate(db.sql, dir)).rejects.toMatchObject({ code: "db.migration_changed" });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test("a failing migration leaves the database as it was", async () => {
  const db = await freshDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-migrations-"));
  try {
    await fs.writeFile(path.join(dir, "0001_good.sql"), "create table good (id int);");
    await fs.writeFile(path.join(dir, "0002_bad.sql"), "create table bad (id nonsense_type);");
    await expect(migrate(db.sql, dir)).rejects.toMatchObject({ code: "db.error" });
    const [row] = await db.sql<{ exists: boolean }[]>`select to_regclass('good') is not null as exists`;
    expect(row?.exists).toBe(false);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
