import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { connect } from "./connect.ts";
import { migrate, MIGRATIONS_DIR } from "./migrate.ts";
import { createPostgresModelRepository } from "./models.ts";
import { createPostgresPredictionRepository } from "./predictions.ts";
import { createPostgresScoreIndexRepository } from "./score-indexes.ts";

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
  const tables = await db.sql<
    { tablename: string }[]
  >`select tablename from pg_tables where schemaname = 'public' order by 1`;
  expect(tables.map((t) => t.tablename)).toEqual(
    expect.arrayContaining(["accounts", "api_keys", "predictions", "job_queue", "schema_migrations"]),
  );
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

test("0011 (the job registry) keeps every job as it was, claimable by the shared adapter, and queues a copy of each completed prediction never indexed", async () => {
  const db = await freshDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-migrations-"));
  try {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
    const registry = files.indexOf("0011_job_registry.sql");
    for (const file of files.slice(0, registry))
      await fs.copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
    await migrate(db.sql, dir);
    const [account] = await db.sql<{ id: string }[]>`insert into accounts (name) values ('acme') returning id`;
    const ids = {
      queued: randomUUID(),
      running: randomUUID(),
      completed: randomUUID(),
      indexed: randomUUID(),
      model: randomUUID(),
    };
    const prediction = (id: string, status: string, extra = db.sql``) =>
      db.sql`insert into predictions (id, account_id, status, input_key, input_filename, input_bytes, s3_output_key, attempts, heartbeat_at)
             values (${id}, ${account!.id}, ${status}, 'in', 'in.csv', 1, ${status === "COMPLETED" ? "out" : null}, ${status === "QUEUED" ? 0 : 1}, now()) ${extra}`;
    await prediction(ids.queued, "QUEUED");
    await prediction(ids.running, "RUNNING");
    await prediction(ids.completed, "COMPLETED");
    await prediction(ids.indexed, "COMPLETED");
    await db.sql`insert into prediction_score_sets (prediction_id, rows) values (${ids.indexed}, 0)`;
    await db.sql`insert into models (id, account_id, name, version, label_column, input_key) values (${ids.model}, ${account!.id}, 'bank', 1, 'churned', 'training.csv')`;
    const before = await db.sql`select id, status, attempts, enqueued_at, heartbeat_at from predictions order by id`;

    await fs.copyFile(path.join(MIGRATIONS_DIR, files[registry]!), path.join(dir, files[registry]!));
    expect(await migrate(db.sql, dir)).toEqual([files[registry]]);

    expect(await db.sql`select id, status, attempts, enqueued_at, heartbeat_at from predictions order by id`).toEqual(
      before,
    );
    expect((await createPostgresModelRepository(db.sql).claim(ids.model, { staleAfterSeconds: 60 }))?.attempt).toBe(1);
    expect(
      (await createPostgresPredictionRepository(db.sql).claim(ids.queued, { staleAfterSeconds: 60 }))?.attempt,
    ).toBe(1);
    const copies = createPostgresScoreIndexRepository(db.sql);
    expect((await copies.findUnenqueued(60, 10)).map((job) => [job.id, job.scoresKey])).toEqual([
      [ids.completed, null],
    ]);
    // job_rows is the column set: every job table inherits it.
    const children = await db.sql<
      { child: string }[]
    >`select c.relname as child from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'job_rows' order by 1`;
    expect(children.map((c) => c.child)).toEqual(["models", "predictions", "score_indexings"]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
