/**
 * Test support for the API's tests (not exported from index.ts): `createApp` over real HTTP with a
 * fresh migrated Postgres database, the real Postgres queue and the real files store in a temp dir.
 * The port is picked before listening (not port 0) because the files store signs download URLs for
 * host:port when it is created.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger, type Logger, type ObjectStore } from "@retainwise/core";
import { createFileObjectStore, serveSignedDownload } from "@retainwise/local";
import { connect, createPostgresAccountRepository, createPostgresJobQueue, createPostgresModelRepository, createPostgresOutcomeRepository, createPostgresPredictionRepository, type Sql } from "@retainwise/postgres";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { createApp } from "./app.ts";
import { serveApi, type RunningServer } from "./serve.ts";
import { freePort } from "../../../tests/support/free-port.ts";

export interface TestApi {
  url: string;
  sql: Sql;
  store: ObjectStore;
  dir: string;
  predictions: ReturnType<typeof createPostgresPredictionRepository>;
  accounts: ReturnType<typeof createPostgresAccountRepository>;
  /** Mints an API key for a (new) account. */
  key(account: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestApi(options: { maxUploadBytes?: number; logger?: Logger; uploadIdleSeconds?: number } = {}): Promise<TestApi> {
  const db: TestDatabase = await createTestDatabase({ migrate: true });
  const sql = connect(db.url);
  const dir = await mkdtemp(join(tmpdir(), "rw-api-"));
  const port = await freePort();
  const signingSecret = randomBytes(24).toString("hex");
  const store = createFileObjectStore({ dir, publicBaseUrl: `http://127.0.0.1:${port}`, signingSecret });
  const predictions = createPostgresPredictionRepository(sql);
  const accounts = createPostgresAccountRepository(sql);
  const queue = createPostgresJobQueue({ sql, log: silentLogger });
  const app = createApp({
    predictions, accounts, store, queue, logger: options.logger ?? silentLogger,
    outcomes: createPostgresOutcomeRepository(sql),
    models: createPostgresModelRepository(sql),
    maxUploadBytes: options.maxUploadBytes ?? 5 * 2 ** 30,
    maxTrainingBytes: 256 * 2 ** 20,
    maxConcurrentTrainings: 2,
    uploadIdleSeconds: options.uploadIdleSeconds,
    downloadUrlTtlSeconds: 600,
    serveDownload: (request) => serveSignedDownload(store, request.url, signingSecret),
  });
  const server: RunningServer = await serveApi(app, { port, host: "127.0.0.1" });
  return {
    url: server.url, sql, store, dir, predictions, accounts,
    async key(account) {
      const { id } = await accounts.ensureAccount(account);
      return (await accounts.createApiKey(id)).key;
    },
    async stop() {
      await server.close(1000);
      await sql.end();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
