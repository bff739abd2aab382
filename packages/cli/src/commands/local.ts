import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createLogger, type AccountRepository, type Logger } from "@retainwise/core";
import { loadConfig, settingFlags, settingsHelp, type Config } from "../config.ts";
import { onShutdownSignal, serveHttp, startJobProcessing } from "../process-roles.ts";
import { buildServices, publicBaseUrl, type Services } from "../wiring.ts";

export const help = `Usage: retainwise local [--port N] [--data-dir DIR] [--pg-port N]

Runs the whole service on this machine: embedded PostgreSQL (unless DATABASE_URL is set), files on
disk, the Postgres-backed queue, the API, the web UI and a worker, in one process. Everything is
kept in the data directory, so a restart picks up where it left off. Prints the URL and an API key.

Options (every setting, also as its environment variable; docs/CONFIGURATION.md):
  --port N         HTTP port (default 8080; 0 picks a free one)
  --data-dir DIR   Where the database, files and secrets live (default .retainwise)
  --pg-port N      Serve the embedded PostgreSQL on 127.0.0.1:N with a database named retainwise,
                   and print its URL: the database for 'sst dev' (docs/DEPLOY.md)

All settings:
${settingsHelp("local")}`;

/** The account and key file of one-machine mode: the key is shown at every start, so it is kept (0600). */
const LOCAL_ACCOUNT = "local";
const KEY_FILE = "api-key";

export async function run(argv: string[]): Promise<number> {
  const config = loadConfig({ flags: { mode: "local", ...settingFlags(argv) } });
  const logger = createLogger({ service: "retainwise", role: "local" }, { level: config.logLevel });
  const services = await buildServices(config, logger);
  const { apiKey, server } = await startServing(services, config, logger).catch(async (error: unknown) => {
    // Stop what was started (the embedded PostgreSQL above all), or the process would hang on it.
    await services.close();
    throw error;
  });
  const jobs = await startJobProcessing(services, config, logger);
  const url = config.port === 0 ? server.url : publicBaseUrl(config);
  const database = services.servedDatabaseUrl ? `Database (for sst dev): ${services.servedDatabaseUrl}\n` : "";
  process.stdout.write(
    `RetainWise is running at ${url}\nData directory: ${resolve(config.dataDir)}\nAPI key: ${apiKey}\n${database}`,
  );
  await onShutdownSignal(
    logger,
    async () => {
      await Promise.all([server.close(), jobs.stop()]);
      await services.close();
    },
    {
      seconds: config.shutdownDeadlineSeconds,
      force: () => Promise.all([server.close(0), services.close({ force: true })]).then(() => {}),
    },
  );
  return 0;
}

async function startServing(services: Services, config: Config, logger: Logger) {
  const apiKey = await localApiKey(services.accounts, resolve(config.dataDir));
  const server = await serveHttp(services, config, logger).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "EADDRINUSE" ? new Error(`port ${config.port} is in use; pass --port`) : error;
  });
  return { apiKey, server };
}

async function localApiKey(accounts: AccountRepository, dataDir: string): Promise<string> {
  const file = join(dataDir, KEY_FILE);
  const saved = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (saved && (await accounts.authenticate(saved))) return saved;
  const account = await accounts.ensureAccount(LOCAL_ACCOUNT);
  const { key } = await accounts.createApiKey(account.id, "retainwise local");
  await writeFile(file, key + "\n", { mode: 0o600 });
  return key;
}
