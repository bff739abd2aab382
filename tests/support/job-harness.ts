/**
 * The one-machine job stack in-process, for worker tests: a fresh migrated database (real
 * PostgreSQL), the files-on-disk store in a temp dir, the Postgres queue and the shipped model.
 * `submit()` does what the API does on upload (store the CSV, insert the row, send the message).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  BUILTIN_MODEL_LABEL,
  createModelSource,
  handleJobMessage,
  indexScoresJob,
  jobRegistry,
  loadModel,
  modelPrefix,
  scoreJob,
  scoreShardJob,
  sendJob,
  silentLogger,
  type Model,
  type ModelSource,
  type ObjectStore,
  type Prediction,
  type ProcessOutcome,
  type ReceivedMessage,
  type Sharding,
} from "../../packages/core/src/index.ts";
import { createFileObjectStore } from "../../packages/local/src/index.ts";
import {
  createPostgresAccountRepository,
  createPostgresJobQueue,
  createPostgresModelRepository,
  createPostgresOutcomeRepository,
  createPostgresPredictionRepository,
  createPostgresScoreIndexRepository,
  createPostgresShardRepository,
  type PostgresJobQueue,
} from "../../packages/postgres/src/index.ts";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";

export const TELCO_CSV = join(import.meta.dirname, "..", "fixtures", "telco-churn.csv");
export const MODEL_PATH = join(import.meta.dirname, "..", "..", "models", "churn-v1.onnx");

export interface JobHarness {
  db: TestDatabase;
  dataDir: string;
  store: ReturnType<typeof createFileObjectStore>;
  queue: PostgresJobQueue;
  predictions: ReturnType<typeof createPostgresPredictionRepository>;
  models: ReturnType<typeof createPostgresModelRepository>;
  /** The `index-scores` jobs that scoring completions queue. */
  scoreIndexes: ReturnType<typeof createPostgresScoreIndexRepository>;
  outcomes: ReturnType<typeof createPostgresOutcomeRepository>;
  /** The `score-shard` jobs of predictions split with `RunOptions.sharding`. */
  shards: ReturnType<typeof createPostgresShardRepository>;
  /** The worker's model source over this harness's database and store (built-in model from models/). */
  modelSource: ModelSource;
  accountId: string;
  /** Stores `csv` (a path or text), inserts the QUEUED row and, unless `send: false`, sends the message. */
  submit(csv: string, options?: { send?: boolean; path?: boolean; idColumn?: string }): Promise<Prediction>;
  /** Stores a labeled CSV (text), inserts the QUEUED model and sends its `train` message. */
  submitModel(csv: string, options: { label: string; name: string }): Promise<Model>;
  /**
   * Runs one received message as the worker would, with the two kinds a scoring test meets: `score`
   * and the `index-scores` its completions queue. `scoreStore` / `indexStore` stand in for the store
   * (fault injection) in one kind's job.
   */
  run(message: ReceivedMessage, options?: RunOptions): Promise<ProcessOutcome>;
  /** Polls the model row until `done(row)`; throws after `timeoutMs`. */
  waitForModel(id: string, done: (row: Model) => boolean, timeoutMs?: number): Promise<Model>;
  /** Polls the row until `done(row)`; throws after `timeoutMs`. */
  waitFor(id: string, done: (row: Prediction) => boolean, timeoutMs?: number): Promise<Prediction>;
  close(): Promise<void>;
}

export interface RunOptions {
  scoreStore?: ObjectStore;
  indexStore?: ObjectStore;
  maxBadRowShare?: number;
  heartbeatSeconds?: number;
  shutdown?: AbortSignal;
  /** Split large predictions into shards (and run `score-shard` messages); absent: every prediction is scored whole. */
  sharding?: Sharding;
}

const RUN_OPTIONS = { visibilitySeconds: 30, heartbeatSeconds: 1, staleAfterSeconds: 20, maxBadRowShare: 0.1 };

export async function startJobHarness(): Promise<JobHarness> {
  const db = await createTestDatabase({ migrate: true });
  const dataDir = await mkdtemp(join(tmpdir(), "rw-jobs-"));
  const store = createFileObjectStore({
    dir: join(dataDir, "files"),
    publicBaseUrl: "http://127.0.0.1:1",
    signingSecret: randomBytes(16).toString("hex"),
  });
  const queue = createPostgresJobQueue({ sql: db.sql, log: silentLogger, pollIntervalMs: 100 });
  const predictions = createPostgresPredictionRepository(db.sql);
  const account = await createPostgresAccountRepository(db.sql).ensureAccount(`acme-${randomUUID().slice(0, 8)}`);
  const models = createPostgresModelRepository(db.sql);
  const scoreIndexes = createPostgresScoreIndexRepository(db.sql);
  const outcomes = createPostgresOutcomeRepository(db.sql);
  const shards = createPostgresShardRepository(db.sql);
  const modelSource = createModelSource({
    models,
    store,
    builtin: () => loadModel(MODEL_PATH, { version: BUILTIN_MODEL_LABEL }),
    maxModels: 4,
  });
  const harness: JobHarness = {
    db,
    dataDir,
    store,
    queue,
    predictions,
    models,
    scoreIndexes,
    outcomes,
    shards,
    modelSource,
    accountId: account.id,
    async submit(csv, options = {}) {
      const id = randomUUID();
      const inputKey = `inputs/${id}.csv`;
      const body =
        options.path === false || !csv.endsWith(".csv") ? Readable.from([Buffer.from(csv)]) : createReadStream(csv);
      const { bytes } = await store.put(inputKey, body);
      const row = await predictions.create({
        id,
        accountId: account.id,
        inputKey,
        inputFilename: "customers.csv",
        inputBytes: bytes,
        idColumn: options.idColumn ?? null,
      });
      if (options.send !== false) {
        await sendJob("score", id, queue, predictions);
      }
      return row;
    },
    async submitModel(csv, { label, name }) {
      const id = randomUUID();
      const inputKey = `${modelPrefix({ id, accountId: account.id })}/training.csv`;
      const { bytes } = await store.put(inputKey, Readable.from([Buffer.from(csv)]));
      const row = await models.create({
        id,
        accountId: account.id,
        name,
        labelColumn: label,
        positiveValue: null,
        inputKey,
        inputFilename: "training.csv",
        inputBytes: bytes,
      });
      await sendJob("train", id, queue, models);
      return row;
    },
    run(message, { scoreStore = store, indexStore = store, ...options } = {}) {
      const settings = { ...RUN_OPTIONS, shutdown: new AbortController().signal, ...options };
      const registry = jobRegistry([
        scoreJob(
          {
            predictions,
            scoreIndexes,
            store: scoreStore,
            queue,
            models: modelSource,
            ...(settings.sharding ? { shards } : {}),
          },
          settings,
        ),
        scoreShardJob({ shards, predictions, store: scoreStore, queue, models: modelSource, logger: silentLogger }),
        indexScoresJob({ scoreIndexes, predictions, outcomes, store: indexStore }),
      ]);
      return handleJobMessage(message, registry, { queue, logger: silentLogger }, settings);
    },
    waitForModel: (id, done, timeoutMs = 120_000) => poll(() => models.getById(id), done, timeoutMs, `model ${id}`),
    waitFor: (id, done, timeoutMs = 60_000) => poll(() => predictions.getById(id), done, timeoutMs, `prediction ${id}`),
    async close() {
      await modelSource.close();
      await queue.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

async function poll<T extends { status: string; errorMessage: string | null }>(
  read: () => Promise<T | null>,
  done: (row: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await read();
    if (row && done(row)) return row;
    if (Date.now() > deadline)
      throw new Error(`${what} did not reach the expected state; last: ${row?.status} ${row?.errorMessage ?? ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads a stored object as text. */
export async function readObject(store: JobHarness["store"], key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
