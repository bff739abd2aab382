/**
 * The real service in-process, built by the production wiring (`buildServices`, `serveHttp`,
 * `startJobProcessing`) over real HTTP, in either mode:
 * - local: a fresh test database, the files store and Postgres queue in a temp data dir;
 * - aws: the same database, S3 and SQS on fauxqs (tests/support/aws.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config } from "../../packages/cli/src/config.ts";
import { serveHttp, startJobProcessing } from "../../packages/cli/src/process-roles.ts";
import { buildServices, type Services } from "../../packages/cli/src/wiring.ts";
import { silentLogger } from "../../packages/core/src/index.ts";
import { startAwsEmulator, TEST_CREDENTIALS, type AwsEmulator } from "./aws.ts";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";
import { freePort } from "./free-port.ts";

export interface RunningService {
  url: string;
  config: Config;
  services: Services;
  db: TestDatabase;
  dataDir: string;
  /** Mints a key for a (new) account. */
  key(account: string): Promise<string>;
  api(path: string, key: string, init?: RequestInit): Promise<Response>;
  /** Polls GET /v1/predictions/:id until `status` (or a terminal one); returns the JSON. */
  waitFor(id: string, key: string, status: string, timeoutMs?: number): Promise<Record<string, any>>;
  /** Polls GET /v1/models/:id until `status` (or READY, FAILED, CANCELED); returns the JSON. */
  waitForModel(id: string, key: string, status: string, timeoutMs?: number): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

export async function startService(
  mode: "local" | "aws",
  settings: Record<string, string> = {},
): Promise<RunningService> {
  // Deployed roles do not migrate (the Migrate task has); local mode migrates at start.
  const db = await createTestDatabase({ migrate: mode === "aws" });
  const dataDir = await mkdtemp(join(tmpdir(), `rw-service-${mode}-`));
  let aws: AwsEmulator | undefined;
  const env: Record<string, string> = {
    RETAINWISE_MODE: mode,
    DATABASE_URL: db.url,
    RETAINWISE_DATA_DIR: dataDir,
    // A fixed free port: the files store signs download URLs for host:port before the server listens.
    RETAINWISE_PORT: String(await freePort()),
    RETAINWISE_SIGNING_SECRET: randomBytes(24).toString("hex"),
    RETAINWISE_HEARTBEAT_SECONDS: "0.5",
    RETAINWISE_RELAY_INTERVAL_SECONDS: "0.5",
    RETAINWISE_RELAY_GRACE_SECONDS: "1",
    RETAINWISE_LOG_LEVEL: "error",
    // These tests upload and poll at machine speed; the limits have their own (packages/api/src/limits.test.ts).
    RETAINWISE_RATE_LIMIT_PER_MINUTE: "1000000",
    RETAINWISE_MAX_CONCURRENT_UPLOADS: "1000",
    ...settings,
  };
  if (mode === "aws") {
    aws = await startAwsEmulator();
    Object.assign(env, {
      RETAINWISE_BUCKET: aws.bucket,
      RETAINWISE_QUEUE_URL: aws.queueUrl,
      RETAINWISE_AWS_ENDPOINT: aws.endpoint,
      RETAINWISE_FORCE_PATH_STYLE: "true",
      AWS_REGION: aws.region,
      RETAINWISE_HOST: "127.0.0.1",
    });
  }
  const config = loadConfig({
    env: {
      ...env,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    },
  });
  // The AWS SDK's default credential chain reads these; fauxqs accepts any.
  process.env.AWS_ACCESS_KEY_ID ??= TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= TEST_CREDENTIALS.secretAccessKey;
  const services = await buildServices(config, silentLogger);
  const server = await serveHttp(services, config, silentLogger);
  const jobs = await startJobProcessing(services, config, silentLogger);
  const api = (path: string, key: string, init: RequestInit = {}) =>
    fetch(server.url + path, { ...init, headers: { Authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
  const poll = async (path: string, key: string, statuses: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = (await (await api(path, key)).json()) as Record<string, any>;
      if (statuses.includes(body.status) || Date.now() > deadline) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    url: server.url,
    config,
    services,
    db,
    dataDir,
    async key(account) {
      const { id } = await services.accounts.ensureAccount(account);
      return (await services.accounts.createApiKey(id)).key;
    },
    api,
    waitFor: (id, key, status, timeoutMs = 60_000) =>
      poll(`/v1/predictions/${id}`, key, [status, "COMPLETED", "FAILED", "CANCELED"], timeoutMs),
    waitForModel: (id, key, status, timeoutMs = 120_000) =>
      poll(`/v1/models/${id}`, key, [status, "READY", "FAILED", "CANCELED"], timeoutMs),
    async stop() {
      await server.close(1_000);
      await jobs.stop();
      await services.close();
      await aws?.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
