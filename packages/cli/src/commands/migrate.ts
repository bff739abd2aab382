import { parseArgs } from "node:util";
import { createLogger } from "@retainwise/core";
import { connect, migrate, migrateWithRoles, type DatabaseRoles } from "@retainwise/postgres";
import { loadConfig, type Config } from "../config.ts";
import { migrationsDir } from "../paths.ts";
import { databaseTls } from "../wiring.ts";

export const summary = "Apply database migrations";

export const help = `Usage: retainwise migrate [--database-url URL]

Applies the numbered SQL files in migrations/ that the database has not seen yet, in one
transaction under an advisory lock (safe to run from several containers at once; a no-op when
up to date). Local mode ('retainwise local') migrates by itself.

Deployed (the Migrate task, docs/DEPLOY.md "Database roles"), the RETAINWISE_DATABASE_ADMIN_*
and RETAINWISE_DATABASE_RUNTIME_* settings are given too: it first creates or updates, as that
admin (the RDS master user), the migration role (DATABASE_URL's user, which comes to own every
table) and the runtime role (rows only: what the API and workers log in as), then migrates as the
migration role and grants the runtime role its access.

Options:
  --database-url URL   PostgreSQL to migrate (default: the DATABASE_URL environment variable)`;

/** `retainwise migrate`: exit 0 when the schema is current, 2 on bad usage, 1 on failure. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { "database-url": { type: "string" } }, strict: true });
  const config = loadConfig({ flags: { databaseUrl: values["database-url"] } });
  const { databaseUrl } = config;
  if (!databaseUrl) {
    process.stderr.write(
      "retainwise migrate: no database given. Pass --database-url postgres://… or set DATABASE_URL.\n",
    );
    return 2;
  }
  const log = createLogger({ component: "migrate" });
  const tls = await databaseTls(config);
  const open = (url: string) => connect(url, { max: 1, applicationName: "retainwise-migrate", ...tls });
  const sql = open(databaseUrl);
  const roles = rolesFrom(config, databaseUrl);
  const admin = roles && open(withLogin(databaseUrl, config.databaseAdminUser!, config.databaseAdminPassword!));
  try {
    const applied = admin
      ? await migrateWithRoles(admin, sql, roles, migrationsDir())
      : await migrate(sql, migrationsDir());
    // Names only: the passwords stay in the config.
    log.info(applied.length ? "migrations applied" : "schema already up to date", {
      applied,
      ...(roles ? { migrationRole: roles.migrator.name, runtimeRole: roles.runtime.name } : {}),
    });
    return 0;
  } finally {
    await Promise.all([sql.end(), admin?.end()]);
  }
}

/** The roles to set up, when the admin settings are given (config.ts checks they come as a set). */
function rolesFrom(config: Config, databaseUrl: string): DatabaseRoles | undefined {
  if (!config.databaseAdminUser) return undefined;
  const url = new URL(databaseUrl);
  return {
    migrator: { name: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
    runtime: { name: config.databaseRuntimeUser!, password: config.databaseRuntimePassword! },
  };
}

function withLogin(databaseUrl: string, user: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}
