import path from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "@retainwise/core";
import { startEmbeddedPostgres } from "@retainwise/local";
import { connect, createPostgresAccountRepository, migrate } from "@retainwise/postgres";
import { loadConfig } from "../config.ts";
import { migrationsDir } from "../paths.ts";
import { databaseTls } from "../wiring.ts";

export const summary = "Manage API keys (keys create --account NAME)";

export const help = `Usage: retainwise keys create --account NAME [--label TEXT] [--data-dir DIR | --database-url URL]

Mints an API key for the account NAME (creating the account if it is new) and prints the key,
alone, on the last line of output. The key is shown only this once: only its hash is stored.

Database: --database-url or DATABASE_URL when given; otherwise the one-machine PostgreSQL in the
data directory (started for the command, or the one a running 'retainwise local' uses).

Options:
  --account NAME       Account the key belongs to (required)
  --label TEXT         A note stored with the key, e.g. "ci" or "alice laptop"
  --data-dir DIR       One-machine data directory (default: .retainwise)
  --database-url URL   PostgreSQL to use instead of the data directory's`;

/** `retainwise keys create`: exit 0 with the key on stdout's last line, 2 on bad usage. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      account: { type: "string" },
      label: { type: "string" },
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
    },
  });
  if (positionals[0] !== "create" || positionals.length !== 1 || !values.account?.trim()) {
    process.stderr.write(`retainwise keys: expected 'keys create --account NAME'.\n\n${help}\n`);
    return 2;
  }
  const config = loadConfig({ flags: { databaseUrl: values["database-url"], dataDir: values["data-dir"] } });
  const database = await openDatabase(config.databaseUrl, config.dataDir, await databaseTls(config));
  try {
    const accounts = createPostgresAccountRepository(database.sql);
    const account = await accounts.ensureAccount(values.account.trim());
    const { key } = await accounts.createApiKey(account.id, values.label);
    process.stdout.write(`Account: ${account.name} (${account.id})\nAPI key (shown once, keep it secret):\n${key}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

/** The given database, or the data directory's embedded one (migrated, since it may be brand new). */
async function openDatabase(databaseUrl: string | undefined, dataDir: string, tls: { ca?: string }) {
  if (databaseUrl) {
    const sql = connect(databaseUrl, { max: 1, applicationName: "retainwise-keys", ...tls });
    return { sql, close: () => sql.end() };
  }
  const log = createLogger({ component: "keys" });
  const cluster = await startEmbeddedPostgres({ dataDir: path.resolve(dataDir), attach: true, log });
  const sql = connect(cluster.url, { max: 1, applicationName: "retainwise-keys" });
  try {
    await migrate(sql, migrationsDir());
  } catch (error) {
    await sql.end();
    await cluster.stop();
    throw error;
  }
  return {
    sql,
    close: async () => {
      await sql.end();
      await cluster.stop();
    },
  };
}
