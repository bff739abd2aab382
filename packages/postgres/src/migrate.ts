import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RetainwiseError } from "@retainwise/core";
import type { Sql } from "./connect.ts";
import { withDbErrors } from "./errors.ts";

/** The repository's `migrations/` directory. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/", import.meta.url));

/**
 * Applies the numbered `NNNN_name.sql` files of `dir` not yet recorded in `schema_migrations`, in
 * order, in ONE transaction holding an advisory lock: concurrent migrators (two API containers
 * starting together) queue on the lock and the second finds nothing left to do. A file changed after
 * it was applied (checksum mismatch) stops everything: migrations are append-only.
 *
 * Resolves with the names applied now (empty when up to date).
 *
 * @example
 *   const applied = await migrate(sql, MIGRATIONS_DIR); // ["0001_accounts.sql", ...] the first time
 */
export async function migrate(sql: Sql, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  return withDbErrors("applying migrations", () =>
    sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
      // A migration may rewrite a large table: the pool's statement timeout is for requests.
      await tx`set local statement_timeout = 0`;
      await tx`
        create table if not exists schema_migrations (
          name text primary key,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`;
      const applied = new Map(
        (await tx<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations`).map((r) => [
          r.name,
          r.checksum,
        ]),
      );
      const pending = files.filter((file) => !applied.has(file.name));
      for (const file of files) assertUnchanged(file, applied.get(file.name));
      for (const file of pending) {
        await tx.unsafe(file.text).simple();
        await tx`insert into schema_migrations (name, checksum) values (${file.name}, ${file.checksum})`;
      }
      return pending.map((file) => file.name);
    }),
  );
}

/**
 * Deployed roles (api, worker) may not migrate: they connect as the runtime role, which has no DDL
 * (docs/DEPLOY.md, "Database roles"); the Migrate task runs before they roll. So at start they only
 * check: a database missing a migration this code ships is refused, naming the command that fixes
 * it. A database ahead of the code (after a rollback) is fine: migrations are expand/contract.
 *
 * @example
 *   await assertMigrated(sql, MIGRATIONS_DIR); // throws db.not_migrated when a file is not applied
 */
export async function assertMigrated(sql: Sql, dir: string = MIGRATIONS_DIR): Promise<void> {
  const files = await readMigrations(dir);
  const applied = await withDbErrors("checking the schema's migrations", async () => {
    const [table] = await sql<{ exists: boolean }[]>`select to_regclass('schema_migrations') is not null as exists`;
    return table!.exists
      ? new Map(
          (await sql<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations`).map((r) => [
            r.name,
            r.checksum,
          ]),
        )
      : new Map<string, string>();
  });
  for (const file of files) assertUnchanged(file, applied.get(file.name));
  const pending = files.filter((file) => !applied.has(file.name)).map((file) => file.name);
  if (pending.length === 0) return;
  throw new RetainwiseError(
    "db.not_migrated",
    `The database lacks migration${pending.length === 1 ? "" : "s"} ${pending.join(", ")}. Run \`retainwise migrate\` first (deployed, the Migrate task runs it before the services roll; docs/DEPLOY.md).`,
  );
}

/** Any fixed 64-bit number, the same for every migrator: "retainwise migrations". */
export const MIGRATION_LOCK_KEY = 7_246_100_187_001;
const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.sql$/;

interface MigrationFile {
  name: string;
  text: string;
  checksum: string;
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await fs.readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await fs.readFile(path.join(dir, name), "utf8");
      return { name, text, checksum: createHash("sha256").update(text).digest("hex") };
    }),
  );
}

function assertUnchanged(file: MigrationFile, appliedChecksum: string | undefined): void {
  if (appliedChecksum === undefined || appliedChecksum === file.checksum) return;
  throw new RetainwiseError(
    "db.migration_changed",
    `Migration ${file.name} was changed after it was applied to this database. Restore the original file and add a new numbered migration instead.`,
  );
}
