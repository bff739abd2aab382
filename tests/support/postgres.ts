/**
 * Real PostgreSQL for tests: one embedded cluster per `vitest run` (started by the globalSetup
 * ./postgres-global-setup.ts, wired in vitest.config.ts), and one fresh database per test file.
 *
 * HOW TO USE
 *
 *   import { afterAll, beforeAll, expect, test } from "vitest";
 *   // from packages/<pkg>/src/x.test.ts: "../../../tests/support/postgres.ts"; from tests/<dir>/x.test.ts: "../support/postgres.ts"
 *   import { createTestDatabase, type TestDatabase } from "./postgres.ts";
 *
 *   let db: TestDatabase;
 *   beforeAll(async () => { db = await createTestDatabase({ migrate: true }); });
 *   afterAll(() => db.drop());
 *
 *   test("reads what it wrote", async () => {
 *     await db.sql`insert into accounts (name) values ('acme')`;
 *     const [row] = await db.sql`select name from accounts`;   // camelCase columns (packages/postgres connect())
 *     expect(row?.name).toBe("acme");
 *   });
 *
 * Or let the helper register the hooks (same result, less boilerplate):
 *
 *   const db = useTestDatabase({ migrate: true });   // at the top level of the file
 *   test("...", async () => { await db.sql`select 1`; });  // db.url, db.sql valid inside tests
 *
 * - `migrate: true` applies migrations/ (the real `migrate()`); omit it for an empty database.
 * - `db.url` is a plain connection string: hand it to child processes (`DATABASE_URL`) or to your
 *   own `connect(db.url)`; `db.sql` is a ready pool (postgres.js, max 5 connections).
 * - `db.drop()` closes `db.sql` and drops the database (forcing out other connections), so call it
 *   in afterAll; close your own pools first if you want a clean shutdown.
 * - Need a second isolated database in the same file? Call `createTestDatabase()` again.
 * - Superuser access to the whole cluster: `adminUrl()`.
 * - Files under tests/ import workspace packages by relative path (`../../packages/postgres/src/index.ts`):
 *   the root node_modules links only @retainwise/cli.
 * - Cluster settings: fsync off, max_connections 200, 127.0.0.1 only, random port.
 *
 * Crash safety: teardown stops the cluster and removes its temp dir; if the run is killed, a
 * watchdog stops the postmaster within ~1 s and the next run sweeps any leftover directory.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { connect, migrate, type Sql } from "../../packages/postgres/src/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the run's embedded cluster (database `postgres`). */
    postgresAdminUrl: string;
  }
}

export interface TestDatabase {
  /** Connection string for this database only. */
  url: string;
  /** A pool on `url`, camelCase columns. */
  sql: Sql;
  /** Closes `sql` and drops the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply migrations/ before returning. */
  migrate?: boolean;
}

/** The cluster's superuser URL (database `postgres`). */
export function adminUrl(): string {
  const url = inject("postgresAdminUrl");
  if (!url)
    throw new Error(
      "No test PostgreSQL: is tests/support/postgres-global-setup.ts listed in vitest.config.ts globalSetup?",
    );
  return url;
}

/** A new, empty (or migrated) database on the run's cluster. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  const admin = connect(adminUrl(), { max: 1 });
  try {
    await admin`create database ${admin(name)}`;
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl(), name);
  const sql = connect(url, { max: 5, applicationName: "retainwise-test" });
  if (options.migrate) await migrate(sql);
  return { url, sql, drop: () => dropDatabase(sql, name) };
}

/**
 * A stand-in for an RDS database: owned by a "master" that is no superuser but may create roles
 * (RDS's master has CREATEROLE and rds_superuser, never SUPERUSER), so whatever PostgreSQL refuses
 * a non-superuser is refused here too. Roles are cluster-wide, so every name carries a random tag;
 * `roles` are the migration and runtime logins to create (not created yet), `as(login)` a pool
 * logged in as one, `url(login)` its URL. `drop()` ends the pools, the database and the roles.
 */
export interface RdsLikeDatabase {
  master: { name: string; password: string };
  roles: { migrator: { name: string; password: string }; runtime: { name: string; password: string } };
  url(login: { name: string; password: string }): string;
  as(login: { name: string; password: string }): Sql;
  drop(): Promise<void>;
}

export async function createRdsLikeDatabase(): Promise<RdsLikeDatabase> {
  const tag = randomBytes(4).toString("hex");
  const login = (name: string) => ({ name, password: randomBytes(18).toString("base64url") });
  const master = login(`master_${tag}`);
  const roles = { migrator: login(`migrator_${tag}`), runtime: login(`runtime_${tag}`) };
  const database = `rds_${tag}`;
  const superuser = connect(adminUrl(), { max: 1 });
  await superuser.unsafe(`create role "${master.name}" login createrole password '${master.password}'`);
  await superuser.unsafe(`create database "${database}" owner "${master.name}"`);
  const pools: Sql[] = [];
  const url = (role: { name: string; password: string }) => {
    const parsed = new URL(withDatabase(adminUrl(), database));
    Object.assign(parsed, { username: role.name, password: role.password });
    return parsed.toString();
  };
  return {
    master,
    roles,
    url,
    as(role) {
      const sql = connect(url(role), { max: 2 });
      pools.push(sql);
      return sql;
    },
    async drop() {
      await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
      await superuser.unsafe(`drop database if exists "${database}" with (force)`);
      for (const name of [roles.runtime.name, roles.migrator.name, master.name])
        await superuser.unsafe(`drop role if exists "${name}"`);
      await superuser.end();
    },
  };
}

/**
 * Registers beforeAll/afterAll hooks that create and drop one database for the enclosing file (or
 * describe block); the returned object's `url` and `sql` work inside tests and later hooks.
 */
export function useTestDatabase(options: TestDatabaseOptions = {}): Omit<TestDatabase, "drop"> {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(options);
  });
  afterAll(async () => {
    await db?.drop();
  });
  const current = () => {
    if (!db)
      throw new Error("useTestDatabase(): the database exists only inside tests and hooks that run after beforeAll.");
    return db;
  };
  return {
    get url() {
      return current().url;
    },
    get sql() {
      return current().sql;
    },
  };
}

async function dropDatabase(sql: Sql, name: string): Promise<void> {
  await sql.end({ timeout: 5 });
  const admin = connect(adminUrl(), { max: 1 });
  try {
    await admin`drop database if exists ${admin(name)} with (force)`;
  } finally {
    await admin.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
