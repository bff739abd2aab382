import path from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "@retainwise/core";
import { startEmbeddedPostgres } from "@retainwise/local";
import {
  connect,
  createPostgresAccountRepository,
  listApiKeys,
  migrate,
  mintApiKey,
  revokeApiKeys,
  storeApiKey,
  type Sql,
} from "@retainwise/postgres";
import { loadConfig } from "../config.ts";
import { migrationsDir } from "../paths.ts";
import { databaseTls } from "../wiring.ts";

export const summary = "Manage API keys (keys create --account NAME, keys list, keys revoke PREFIX)";

export const help = `Usage: retainwise keys create --account NAME [--label TEXT] [--data-dir DIR | --database-url URL]
       retainwise keys list [--data-dir DIR | --database-url URL]
       retainwise keys revoke KEY_PREFIX [--data-dir DIR | --database-url URL]
       retainwise keys mint
       retainwise keys import --account NAME --sha256 HEX --prefix PREFIX [--label TEXT] [--database-url URL]

create: mints an API key for the account NAME (creating the account if it is new) and prints the
key, alone, on the last line of output. The key is shown only this once: only its hash is stored.
list: every key's prefix (its first 10 characters), account, label, creation and revocation.
revoke: revokes the live keys with that prefix; requests with them are refused from then on.
mint: makes a key without any database and prints "key KEY", "sha256 HEX" and "prefix PREFIX",
one a line; import: stores such a key's hash and prefix for NAME. So a key for a deployed stage
is made on your machine and only its hash reaches the task (scripts/first-deploy.sh).

Database: --database-url or DATABASE_URL when given; otherwise the one-machine PostgreSQL in the
data directory (started for the command, or the one a running 'retainwise local' uses).

Options:
  --account NAME       Account the key belongs to (required)
  --label TEXT         A note stored with the key, e.g. "ci" or "alice laptop"
  --data-dir DIR       One-machine data directory (default: .retainwise)
  --database-url URL   PostgreSQL to use instead of the data directory's
  --sha256 HEX         import: the key's SHA-256, as 'keys mint' printed it
  --prefix PREFIX      import: the key's first 10 characters, as 'keys mint' printed it`;

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
      sha256: { type: "string" },
      prefix: { type: "string" },
    },
  });
  const [action, prefix] = positionals;
  const valid =
    (action === "create" && positionals.length === 1 && !!values.account?.trim()) ||
    (action === "list" && positionals.length === 1) ||
    (action === "revoke" && positionals.length === 2 && !!prefix?.trim()) ||
    (action === "mint" && positionals.length === 1) ||
    (action === "import" &&
      positionals.length === 1 &&
      !!values.account?.trim() &&
      /^[0-9a-f]{64}$/.test(values.sha256 ?? "") &&
      /^rw_[A-Za-z0-9_-]{7}$/.test(values.prefix ?? ""));
  if (!valid) {
    process.stderr.write(
      `retainwise keys: expected 'keys create --account NAME', 'keys list', 'keys revoke KEY_PREFIX', 'keys mint' or 'keys import --account NAME --sha256 HEX --prefix rw_XXXXXXX'.\n\n${help}\n`,
    );
    return 2;
  }
  if (action === "mint") {
    const { key, keyHash, prefix: shown } = mintApiKey();
    process.stdout.write(`key ${key}\nsha256 ${keyHash.toString("hex")}\nprefix ${shown}\n`);
    return 0;
  }
  const config = loadConfig({ flags: { databaseUrl: values["database-url"], dataDir: values["data-dir"] } });
  const database = await openDatabase(config.databaseUrl, config.dataDir, await databaseTls(config));
  try {
    if (action === "list") return await list(database.sql);
    if (action === "revoke") return await revoke(database.sql, prefix!.trim());
    const accounts = createPostgresAccountRepository(database.sql);
    const account = await accounts.ensureAccount(values.account!.trim());
    if (action === "import") {
      await storeApiKey(
        database.sql,
        account.id,
        { keyHash: Buffer.from(values.sha256!, "hex"), prefix: values.prefix! },
        values.label,
      );
      process.stdout.write(
        `Account: ${account.name} (${account.id})\nStored the key ${values.prefix}… (its hash only).\n`,
      );
      return 0;
    }
    const { key } = await accounts.createApiKey(account.id, values.label);
    process.stdout.write(`Account: ${account.name} (${account.id})\nAPI key (shown once, keep it secret):\n${key}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

async function list(sql: Sql): Promise<number> {
  const rows = (await listApiKeys(sql)).map((k) => [
    k.prefix,
    k.account,
    k.label ?? "",
    k.createdAt.toISOString(),
    k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active",
  ]);
  const table = [["PREFIX", "ACCOUNT", "LABEL", "CREATED", "STATUS"], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  process.stdout.write(
    table
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n",
  );
  return 0;
}

async function revoke(sql: Sql, prefix: string): Promise<number> {
  const revoked = await revokeApiKeys(sql, prefix);
  if (revoked === 0) {
    process.stderr.write(
      `retainwise keys: no active key starts with ${prefix}; 'retainwise keys list' shows the prefixes.\n`,
    );
    return 1;
  }
  process.stdout.write(`Revoked ${revoked} key${revoked === 1 ? "" : "s"} with prefix ${prefix}.\n`);
  return 0;
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
