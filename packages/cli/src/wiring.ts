import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { createAwsClients, createS3ObjectStore, createSqsJobQueue } from "@retainwise/aws";
import { cardPathFor, loadModel, readModelCard, RetainwiseError, type AccountRepository, type ChurnModel, type JobQueue, type Logger, type ModelRepository, type ObjectStore, type OutcomeRepository, type PredictionRepository } from "@retainwise/core";
import { createFileObjectStore, readOrCreateSecret, serveSignedDownload, startEmbeddedPostgres } from "@retainwise/local";
import { connect, createPostgresAccountRepository, createPostgresJobQueue, createPostgresModelRepository, createPostgresOutcomeRepository, createPostgresPredictionRepository, migrate, type Sql } from "@retainwise/postgres";
import type { Config } from "./config.ts";
import { defaultModelPath, migrationsDir } from "./paths.ts";

/** Everything a role needs, built once per process from the config. */
export interface Services {
  predictions: PredictionRepository;
  accounts: AccountRepository;
  outcomes: OutcomeRepository;
  models: ModelRepository;
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
  await mkdir(dataDir, { recursive: true });
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir, log: logger.child({ component: "postgres" }) });
  const sql = connect(config.databaseUrl ?? embedded!.url, { applicationName: "retainwise-local" });
  await migrate(sql, migrationsDir());
  const signingSecret = config.signingSecret ?? (await readOrCreateSecret(join(dataDir, "signing-secret")));
  const store = createFileObjectStore({ dir: join(dataDir, "files"), publicBaseUrl: publicBaseUrl(config), signingSecret });
  const queue = createPostgresJobQueue({ sql, log: logger.child({ component: "queue" }) });
  const repos = repositories(sql);
  await publishBuiltinModel(repos.models, store, config);
  return {
    ...repos,
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
  const store = createS3ObjectStore({ client: s3, bucket: config.bucket! });
  const repos = repositories(sql);
  await publishBuiltinModel(repos.models, store, config);
  return {
    ...repos,
    store,
    queue: createSqsJobQueue({ client: sqs, queueUrl: config.queueUrl! }),
    sql,
    async close() {
      s3.destroy();
      sqs.destroy();
      await sql.end({ timeout: 5 });
    },
  };
}

function repositories(sql: Sql): Pick<Services, "predictions" | "accounts" | "models" | "outcomes"> {
  return { predictions: createPostgresPredictionRepository(sql), accounts: createPostgresAccountRepository(sql), models: createPostgresModelRepository(sql), outcomes: createPostgresOutcomeRepository(sql) };
}

/**
 * Copies the built-in model (ONNX + card) into the store under `models/builtin/<content hash>/`
 * and records it in its row, so it downloads and lists like a trained one. Idempotent: every
 * start of every role does it; a changed `--model-path` publishes under a new hash.
 */
async function publishBuiltinModel(models: ModelRepository, store: ObjectStore, config: Config): Promise<void> {
  const path = config.modelPath ?? defaultModelPath();
  const onnx = await readFile(path).catch((cause: unknown) => {
    throw new RetainwiseError("model.not_found", `The model file ${path} could not be read. Check --model-path (RETAINWISE_MODEL_PATH).`, { cause });
  });
  const card = await readModelCard(cardPathFor(path)).catch(() => undefined);
  const dir = `models/builtin/${createHash("sha256").update(onnx).digest("hex").slice(0, 16)}`;
  const keys = { onnxKey: `${dir}/model.onnx`, cardKey: card ? `${dir}/card.json` : null };
  if (!(await store.head(keys.onnxKey))) {
    if (card) await store.put(keys.cardKey!, Readable.from([JSON.stringify(card, null, 2)]), { contentType: "application/json" });
    await store.put(keys.onnxKey, Readable.from([onnx]), { contentType: "application/octet-stream" });
  }
  await models.registerBuiltin(card, keys);
}

export function publicBaseUrl(config: Config): string {
  return config.publicBaseUrl ?? `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`;
}

export function loadChurnModel(config: Config): Promise<ChurnModel> {
  return loadModel(config.modelPath ?? defaultModelPath());
}
