import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { connect, createPostgresAccountRepository } from "@retainwise/postgres";
import { createRdsLikeDatabase, createTestDatabase, type TestDatabase } from "../../../../tests/support/postgres.ts";

const CLI = fileURLToPath(new URL("../../bin/retainwise.mjs", import.meta.url));
const retainwise = (args: string[], env: Record<string, string> = {}) => {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...inherited, ...env } });
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

test("retainwise migrate brings an empty database up to date, also when two run at once", async () => {
  await Promise.all([
    retainwise(["migrate", "--database-url", db.url]),
    retainwise(["migrate"], { DATABASE_URL: db.url }),
  ]);
  const [row] = await db.sql<
    { tables: number }[]
  >`select count(*) as tables from pg_tables where tablename in ('accounts', 'api_keys', 'predictions', 'job_queue')`;
  expect(row?.tables).toBe(4);
});

test("retainwise migrate without a database exits 2 naming the missing setting", async () => {
  const failure = await retainwise(["migrate"]).catch((error: { code: number; stderr: string }) => error);
  expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining("DATABASE_URL") });
});

test("retainwise keys create prints, on its last line, a key that authenticates as the named account", async () => {
  await retainwise(["migrate", "--database-url", db.url]);
  const { stdout } = await retainwise(["keys", "create", "--account", "acme-cli"], { DATABASE_URL: db.url });
  const key = stdout.trimEnd().split("\n").at(-1)!;
  const account = await createPostgresAccountRepository(db.sql).authenticate(key);
  expect(account?.name).toBe("acme-cli");
});

test("retainwise keys create in local mode starts the data directory's PostgreSQL, which keeps the key", async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-keys-"));
  try {
    const first = (await retainwise(["keys", "create", "--account", "local-acme", "--data-dir", dataDir])).stdout
      .trimEnd()
      .split("\n")
      .at(-1)!;
    const second = (await retainwise(["keys", "create", "--account", "local-acme", "--data-dir", dataDir])).stdout
      .trimEnd()
      .split("\n")
      .at(-1)!;
    expect(first).not.toBe(second);
    // Both keys must be in the cluster that a later run finds in the same directory.
    const { startEmbeddedPostgres } = await import("@retainwise/local");
    const cluster = await startEmbeddedPostgres({ dataDir });
    const sql = connect(cluster.url, { max: 1 });
    try {
      const accounts = createPostgresAccountRepository(sql);
      expect((await accounts.authenticate(first))?.name).toBe("local-acme");
      expect((await accounts.authenticate(second))?.name).toBe("local-acme");
    } finally {
      await sql.end();
      await cluster.stop();
    }
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

test("retainwise keys without 'create --account' exits 2 with its usage", async () => {
  const failure = await retainwise(["keys", "create"]).catch((error: { code: number; stderr: string }) => error);
  expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining("--account NAME") });
});

test("retainwise keys list shows each key's prefix and account, and keys revoke refuses the key at once", async () => {
  await retainwise(["migrate", "--database-url", db.url]);
  const { stdout } = await retainwise(["keys", "create", "--account", "acme-revoke", "--label", "ci"], {
    DATABASE_URL: db.url,
  });
  const key = stdout.trimEnd().split("\n").at(-1)!;
  const accounts = createPostgresAccountRepository(db.sql);
  expect(await accounts.authenticate(key)).not.toBeNull();
  const listed = (await retainwise(["keys", "list", "--database-url", db.url])).stdout;
  const line = listed.split("\n").find((l) => l.includes("acme-revoke"))!;
  expect(line).toMatch(new RegExp(`^${key.slice(0, 10)}\\s+acme-revoke\\s+ci\\s+\\S+\\s+active$`));
  expect(listed).not.toContain(key);
  const revoked = await retainwise(["keys", "revoke", key.slice(0, 10), "--database-url", db.url]);
  expect(revoked.stdout).toBe(`Revoked 1 key with prefix ${key.slice(0, 10)}.\n`);
  expect(await accounts.authenticate(key)).toBeNull();
  const again = await retainwise(["keys", "revoke", key.slice(0, 10), "--database-url", db.url]).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining("no active key starts with") });
}, 180_000);

test("retainwise migrate with the admin and runtime settings (the Migrate task) sets up both roles, and the runtime role then mints keys but cannot migrate", async () => {
  const rds = await createRdsLikeDatabase();
  try {
    const { migrator, runtime } = rds.roles;
    // As the deployed Migrate task gets them: the URL without its password, every password apart.
    const withoutPassword = (login: { name: string; password: string }) =>
      Object.assign(new URL(rds.url(login)), { password: "" }).toString();
    const taskEnv = {
      DATABASE_URL: withoutPassword(migrator),
      RETAINWISE_DATABASE_PASSWORD: migrator.password,
      RETAINWISE_DATABASE_ADMIN_USER: rds.master.name,
      RETAINWISE_DATABASE_ADMIN_PASSWORD: rds.master.password,
      RETAINWISE_DATABASE_RUNTIME_USER: runtime.name,
      RETAINWISE_DATABASE_RUNTIME_PASSWORD: runtime.password,
    };
    const migrated = await retainwise(["migrate"], taskEnv);
    for (const password of [migrator.password, runtime.password, rds.master.password])
      expect(migrated.stdout + migrated.stderr).not.toContain(password);
    expect(migrated.stdout + migrated.stderr).toContain(runtime.name);
    const asRuntime = { DATABASE_URL: withoutPassword(runtime), RETAINWISE_DATABASE_PASSWORD: runtime.password };
    const { stdout } = await retainwise(["keys", "create", "--account", "smoke"], asRuntime);
    expect(
      await createPostgresAccountRepository(rds.as(runtime)).authenticate(stdout.trimEnd().split("\n").at(-1)!),
    ).toMatchObject({ name: "smoke" });
    // Without the admin settings migrate runs as the URL's user: the runtime role may create nothing.
    const failure = await retainwise(["migrate"], asRuntime).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
  } finally {
    await rds.drop();
  }
}, 120_000);

test("retainwise migrate refuses half of the role settings, naming the missing ones", async () => {
  const failure = await retainwise(["migrate"], {
    DATABASE_URL: db.url,
    RETAINWISE_DATABASE_ADMIN_USER: "postgres",
  }).catch((error: { code: number; stderr: string }) => error);
  expect(failure).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(
      /RETAINWISE_DATABASE_ADMIN_PASSWORD is required[\s\S]*RETAINWISE_DATABASE_RUNTIME_USER is required[\s\S]*RETAINWISE_DATABASE_RUNTIME_PASSWORD is required/,
    ),
  });
});
