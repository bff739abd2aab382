import { parseArgs } from "node:util";
import { createLogger } from "@retainwise/core";
import { connect, migrate } from "@retainwise/postgres";
import { loadConfig } from "../config.ts";
import { migrationsDir } from "../paths.ts";
import { databaseTls } from "../wiring.ts";

export const summary = "Apply database migrations";

export const help = `Usage: retainwise migrate [--database-url URL]

Applies the numbered SQL files in migrations/ that the database has not seen yet, in one
transaction under an advisory lock (safe to run from several containers at once; a no-op when
up to date). Local mode ('retainwise local') migrates by itself.

Options:
  --database-url URL   PostgreSQL to migrate (default: the DATABASE_URL environment variable)`;

/** `retainwise migrate`: exit 0 when the schema is current, 2 on bad usage, 1 on failure. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { "database-url": { type: "string" } }, strict: true });
  const config = loadConfig({ flags: { databaseUrl: values["database-url"] } });
  const { databaseUrl } = config;
  if (!databaseUrl) {
    process.stderr.write("retainwise migrate: no database given. Pass --database-url postgres://… or set DATABASE_URL.\n");
    return 2;
  }
  const log = createLogger({ component: "migrate" });
  const sql = connect(databaseUrl, { max: 1, applicationName: "retainwise-migrate", ...(await databaseTls(config)) });
  try {
    const applied = await migrate(sql, migrationsDir());
    log.info(applied.length ? "migrations applied" : "schema already up to date", { applied });
    return 0;
  } finally {
    await sql.end();
  }
}
