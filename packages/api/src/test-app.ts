/**
 * Test support for the API's tests (not exported from index.ts): `createApp` over a fresh migrated
 * Postgres database, the real Postgres queue and the real files store in a temp dir — called with
 * `app.request()` (createTestApp) or over real HTTP (startTestApi). The port is picked before
 * listening (not port 0) because the files store signs download URLs for host:port when it is created.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { silentLogger } from "@retainwise/core/log";
import type { ObjectStore } from "@retainwise/core/ports";
import { createFileObjectStore, serveSignedDownload } from "@retainwise/local";
import {
  connect,
  createPostgresAccountRepository,
  createPostgresIdempotencyKeys,
  createPostgresJobQueue,
  createPostgresModelRepository,
  createPostgresOutcomeRepository,
  createPostgresPredictionRepository,
  type Sql,
} from "@retainwise/postgres";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres.ts";
import { createApp } from "./app.ts";
import type { ApiDeps, ApiEnv } from "./env.ts";
import { serveApi, type RunningServer } from "./serve.ts";
import { freePort } from "../../../tests/support/free-port.ts";

export interface TestApp {
  app: Hono<ApiEnv>;
  /** The app's own pool; `db.sql` reaches the database directly. */
  sql: Sql;
  db: TestDatabase;
  store: ObjectStore;
  dir: string;
  predictions: ReturnType<typeof createPostgresPredictionRepository>;
  accounts: ReturnType<typeof createPostgresAccountRepository>;
  models: ReturnType<typeof createPostgresModelRepository>;
  /** Mints an API key for a (new) account. */
  key(account: string): Promise<string>;
  /** Resolves once `n` prediction inputs are in the store or being written to it: those uploads are past every check. */
  uploadsStored(n: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestApi extends Omit<TestApp, "close"> {
  url: string;
  stop(): Promise<void>;
}

/** Any ApiDeps setting to change from the defaults below (a logger, limits, timeouts). */
export type TestAppOptions = Partial<
  Omit<
    ApiDeps,
    "predictions" | "accounts" | "outcomes" | "models" | "idempotencyKeys" | "store" | "queue" | "serveDownload"
  >
>;

export interface TestDatabaseOptions {
  /** The URL the app connects with instead of the test database's own (e.g. through a proxy). */
  via?: (url: string) => Promise<string>;
  connectTimeoutSeconds?: number;
}

export async function createTestApp(
  options: TestAppOptions = {},
  port = 0,
  database: TestDatabaseOptions = {},
): Promise<TestApp> {
  const db: TestDatabase = await createTestDatabase({ migrate: true });
  const sql = connect(database.via ? await database.via(db.url) : db.url, {
    ...(database.connectTimeoutSeconds ? { connectTimeoutSeconds: database.connectTimeoutSeconds } : {}),
  });
  const dir = await mkdtemp(join(tmpdir(), "rw-api-"));
  const signingSecret = randomBytes(24).toString("hex");
  const store = createFileObjectStore({ dir, publicBaseUrl: `http://127.0.0.1:${port}`, signingSecret });
  const predictions = createPostgresPredictionRepository(sql);
  const accounts = createPostgresAccountRepository(sql);
  const models = createPostgresModelRepository(sql);
  const queue = createPostgresJobQueue({ sql, log: silentLogger });
  const app = createApp({
    predictions,
    accounts,
    models,
    store,
    queue,
    idempotencyKeys: createPostgresIdempotencyKeys(sql),
    outcomes: createPostgresOutcomeRepository(sql),
    logger: silentLogger,
    maxUploadBytes: 5 * 2 ** 30,
    maxTrainingBytes: 256 * 2 ** 20,
    maxConcurrentTrainings: 2,
    downloadUrlTtlSeconds: 600,
    serveDownload: (request) => serveSignedDownload(store, request.url, signingSecret),
    ...options,
  });
  return {
    app,
    sql,
    db,
    store,
    dir,
    predictions,
    accounts,
    models,
    async key(account) {
      const { id } = await accounts.ensureAccount(account);
      return (await accounts.createApiKey(id)).key;
    },
    async uploadsStored(n) {
      const deadline = Date.now() + 10_000;
      while ((await readdir(join(dir, "inputs")).catch(() => [])).length < n) {
        if (Date.now() > deadline) throw new Error(`fewer than ${n} uploads reached the store`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      // A pool that lived through an outage may hold a connection that never finished connecting.
      await sql.end({ timeout: 1 });
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startTestApi(options: TestAppOptions = {}): Promise<TestApi> {
  const port = await freePort();
  const { close, ...test } = await createTestApp(options, port);
  const server: RunningServer = await serveApi(test.app, { port, host: "127.0.0.1" });
  return {
    ...test,
    url: server.url,
    async stop() {
      await server.close(1000);
      await close();
    },
  };
}
