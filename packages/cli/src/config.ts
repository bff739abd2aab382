import * as v from "valibot";
import { DEFAULT_STALL_HEARTBEATS } from "@retainwise/core";

/**
 * THE configuration module: the only code that reads the environment. Every setting has one row
 * below (env var, flag, default, validation); `loadConfig` merges flags over env over defaults and
 * reports every bad setting at once, by name.
 *
 * Deployed, infra/ sets these env vars itself (no SST links, which would put secrets in the task
 * definition): names as plain values, secrets through the container's `secrets` (docs/DEPLOY.md).
 *
 * @example
 *   const config = loadConfig({ flags: { mode: "local", port: "9000" } });
 */
const toInt = (min: number, max: number) =>
  v.pipe(
    v.unknown(),
    v.transform(Number),
    v.number("must be a number"),
    v.integer("must be an integer"),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const toNumber = (min: number, max: number) =>
  v.pipe(
    v.unknown(),
    v.transform(Number),
    v.number("must be a number"),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const toBool = v.pipe(
  v.unknown(),
  v.transform((x) => x === true || x === "true" || x === "1"),
);
const optionalUrl = v.optional(v.pipe(v.string(), v.url("must be a URL")));
const roleName = v.pipe(
  v.string(),
  v.regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a PostgreSQL role name (lower-case letters, digits, underscores)"),
);

const ConfigSchema = v.object({
  mode: v.picklist(["local", "aws"], 'must be "local" or "aws"'),
  port: toInt(0, 65535),
  host: v.string(),
  dataDir: v.pipe(v.string(), v.minLength(1)),
  pgPort: v.optional(toInt(1, 65535)),
  databaseUrl: v.optional(v.pipe(v.string(), v.regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"))),
  databasePassword: v.optional(v.string()),
  databaseCaFile: v.optional(v.pipe(v.string(), v.minLength(1))),
  databaseAdminUser: v.optional(roleName),
  databaseAdminPassword: v.optional(v.pipe(v.string(), v.minLength(1))),
  databaseRuntimeUser: v.optional(roleName),
  databaseRuntimePassword: v.optional(v.pipe(v.string(), v.minLength(16, "must be at least 16 characters"))),
  databasePoolSize: toInt(1, 100),
  databaseWaitSeconds: toNumber(0, 3600),
  databaseConnectTimeoutSeconds: toNumber(0.1, 600),
  databaseStatementTimeoutSeconds: toNumber(0, 3600),
  publicBaseUrl: optionalUrl,
  maxUploadBytes: toInt(1, Number.MAX_SAFE_INTEGER),
  headersTimeoutSeconds: toNumber(1, 3600),
  uploadIdleSeconds: toNumber(1, 3600),
  downloadUrlTtlSeconds: toInt(1, 7 * 24 * 3600),
  signingSecret: v.optional(v.pipe(v.string(), v.minLength(16, "must be at least 16 characters"))),
  modelPath: v.optional(v.string()),
  workerConcurrency: toInt(1, 64),
  scoringThreads: toInt(1, 64),
  visibilitySeconds: toInt(1, 43_200),
  heartbeatSeconds: toNumber(0.1, 3600),
  staleAfterSeconds: toNumber(1, 86_400),
  stallHeartbeats: toInt(2, 1_000_000),
  maxBadRowShare: toNumber(0, 1),
  shardMinBytes: toInt(1, Number.MAX_SAFE_INTEGER),
  shardBytes: toInt(1, 5 * 1024 ** 3),
  relayIntervalSeconds: toNumber(0.1, 3600),
  relayGraceSeconds: toNumber(0, 3600),
  shutdownDeadlineSeconds: toNumber(0, 3600),
  workerGeneration: v.optional(toInt(0, 2_147_483_647)),
  drainCheckSeconds: toNumber(0.05, 3600),
  drainAliveSeconds: toNumber(0.1, 86_400),
  drainDeadlineSeconds: toNumber(0, 86_400),
  ecsMetadataUri: optionalUrl,
  logLevel: v.picklist(["debug", "info", "warn", "error"], "must be debug, info, warn or error"),
  awsRegion: v.string(),
  bucket: v.optional(v.string()),
  // A regex, not v.url(): emulators' queue URLs (`http://sqs.us-east-1.127.0.0.1:4566/…`) are not WHATWG-valid hosts.
  queueUrl: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/\S+$/, "must be an http(s) URL"))),
  awsEndpoint: optionalUrl,
  forcePathStyle: toBool,
  maxTrainingBytes: toInt(1, Number.MAX_SAFE_INTEGER),
  maxTrainingRows: toInt(1, 100_000_000),
  maxTrainingCells: toInt(1, Number.MAX_SAFE_INTEGER),
  maxColumns: toInt(1, 100_000),
  maxConcurrentTrainings: toInt(1, 1000),
  maxConcurrentUploads: toInt(1, 1000),
  rateLimitPerMinute: toInt(1, 1_000_000),
  authFailuresPerMinute: toInt(1, 1_000_000),
  trustedProxyHops: toInt(0, 10),
  modelCacheSize: toInt(1, 1000),
  ecsAgentUri: optionalUrl,
});

export type Config = v.InferOutput<typeof ConfigSchema>;
type Key = keyof Config;

/** One row per setting: its env var, its default (by mode where they differ). */
const SETTINGS: Record<Key, { env: string; default?: unknown; local?: unknown; aws?: unknown }> = {
  mode: { env: "RETAINWISE_MODE", default: "local" },
  port: { env: "RETAINWISE_PORT", local: 8080, aws: 3000 },
  host: { env: "RETAINWISE_HOST", local: "127.0.0.1", aws: "0.0.0.0" },
  dataDir: { env: "RETAINWISE_DATA_DIR", default: ".retainwise" },
  // Local mode: serve the embedded PostgreSQL on this port with a `retainwise` database (the `sst dev` database).
  pgPort: { env: "RETAINWISE_PG_PORT" },
  databaseUrl: { env: "DATABASE_URL" },
  // Deployed, the password arrives apart from the URL, from SSM/Secrets Manager (infra/database.ts).
  databasePassword: { env: "RETAINWISE_DATABASE_PASSWORD" },
  // `retainwise migrate` in the deployed Migrate task only (infra/migrate.ts): the master user, who creates the
  // migration role (DATABASE_URL's user, which then owns the schema) and the runtime role the API and workers log in as.
  databaseAdminUser: { env: "RETAINWISE_DATABASE_ADMIN_USER" },
  databaseAdminPassword: { env: "RETAINWISE_DATABASE_ADMIN_PASSWORD" },
  databaseRuntimeUser: { env: "RETAINWISE_DATABASE_RUNTIME_USER" },
  databaseRuntimePassword: { env: "RETAINWISE_DATABASE_RUNTIME_PASSWORD" },
  // PEM bundle the server's certificate must chain to (TLS, host name checked); the image ships RDS's.
  databaseCaFile: { env: "RETAINWISE_DATABASE_CA_FILE" },
  // Per process; pool size x max tasks must fit the instance's max_connections (docs/DEPLOY.md).
  databasePoolSize: { env: "RETAINWISE_DATABASE_POOL_SIZE", default: 10 },
  // A task started during a failover waits this long for the database instead of exiting.
  databaseWaitSeconds: { env: "RETAINWISE_DATABASE_WAIT_SECONDS", local: 0, aws: 300 },
  // During an outage a request fails (503 + Retry-After) after about this long, instead of hanging.
  databaseConnectTimeoutSeconds: { env: "RETAINWISE_DATABASE_CONNECT_TIMEOUT_SECONDS", default: 1.5 },
  // Server-side cap per statement (0: none); migrations are exempt.
  databaseStatementTimeoutSeconds: { env: "RETAINWISE_DATABASE_STATEMENT_TIMEOUT_SECONDS", default: 30 },
  publicBaseUrl: { env: "RETAINWISE_PUBLIC_BASE_URL" },
  maxUploadBytes: { env: "RETAINWISE_MAX_UPLOAD_BYTES", default: 5 * 1024 ** 3 },
  headersTimeoutSeconds: { env: "RETAINWISE_HEADERS_TIMEOUT_SECONDS", default: 20 },
  uploadIdleSeconds: { env: "RETAINWISE_UPLOAD_IDLE_SECONDS", default: 30 },
  downloadUrlTtlSeconds: { env: "RETAINWISE_DOWNLOAD_URL_TTL_SECONDS", default: 600 },
  signingSecret: { env: "RETAINWISE_SIGNING_SECRET" },
  modelPath: { env: "RETAINWISE_MODEL_PATH" },
  workerConcurrency: { env: "RETAINWISE_WORKER_CONCURRENCY", default: 2 },
  // Jobs already run side by side; threads pay off for one large job at a time (files over 8 MiB).
  scoringThreads: { env: "RETAINWISE_SCORING_THREADS", default: 1 },
  // SQS: 300 s (infra/queue.ts); locally a crashed job is picked up again after a minute.
  visibilitySeconds: { env: "RETAINWISE_VISIBILITY_SECONDS", local: 60, aws: 300 },
  heartbeatSeconds: { env: "RETAINWISE_HEARTBEAT_SECONDS", default: 2 },
  // Must stay below the visibility timeout, so a redelivered message finds the dead worker's claim stale.
  staleAfterSeconds: { env: "RETAINWISE_STALE_AFTER_SECONDS", local: 30, aws: 120 },
  // The no-progress watchdog: a job whose progress has not moved for this many heartbeats is retried.
  stallHeartbeats: { env: "RETAINWISE_STALL_HEARTBEATS", default: DEFAULT_STALL_HEARTBEATS },
  maxBadRowShare: { env: "RETAINWISE_MAX_BAD_ROW_SHARE", default: 0.1 },
  // A prediction of at least this many bytes is split into shards of about `shardBytes` that any worker scores
  // (packages/core/src/predictions/shards.ts, docs/queue.md "Shards"); tests set both tiny.
  shardMinBytes: { env: "RETAINWISE_SHARD_MIN_BYTES", default: 256 * 1024 ** 2 },
  shardBytes: { env: "RETAINWISE_SHARD_BYTES", default: 64 * 1024 ** 2 },
  relayIntervalSeconds: { env: "RETAINWISE_RELAY_INTERVAL_SECONDS", default: 5 },
  relayGraceSeconds: { env: "RETAINWISE_RELAY_GRACE_SECONDS", default: 10 },
  // ECS sends SIGKILL 120 s after SIGTERM (STOP_TIMEOUT_SECONDS in infra/settings.ts; infra sets 110 here): finish or release
  // before. Jobs get it less 5 s; what still hangs 3 s before it is cut by force (process-roles.ts: onShutdownSignal).
  shutdownDeadlineSeconds: { env: "RETAINWISE_SHUTDOWN_DEADLINE_SECONDS", default: 25 },
  // Deploys (packages/worker/src/drain-on-new-generation.ts): a worker that sees a newer generation alive claims nothing
  // more and its jobs in hand get the drain deadline (infra sets 600 s: a deploy's wait stays inside the provider's 20 min).
  // The generation is the ECS task definition revision (from the task metadata), or this setting where there is none.
  workerGeneration: { env: "RETAINWISE_WORKER_GENERATION" },
  drainCheckSeconds: { env: "RETAINWISE_DRAIN_CHECK_SECONDS", default: 5 },
  drainAliveSeconds: { env: "RETAINWISE_DRAIN_ALIVE_SECONDS", default: 30 },
  drainDeadlineSeconds: { env: "RETAINWISE_DRAIN_DEADLINE_SECONDS", default: 600 },
  logLevel: { env: "RETAINWISE_LOG_LEVEL", default: "info" },
  awsRegion: { env: "AWS_REGION", default: "us-east-1" },
  bucket: { env: "RETAINWISE_BUCKET" },
  queueUrl: { env: "RETAINWISE_QUEUE_URL" },
  awsEndpoint: { env: "RETAINWISE_AWS_ENDPOINT" },
  forcePathStyle: { env: "RETAINWISE_FORCE_PATH_STYLE", default: false },
  // The trainer holds the whole table in memory: ~1 GB of RSS per million rows (docs/BENCHMARKS.md, "Training speed and memory").
  maxTrainingBytes: { env: "RETAINWISE_MAX_TRAINING_BYTES", default: 256 * 1024 ** 2 },
  maxTrainingRows: { env: "RETAINWISE_MAX_TRAINING_ROWS", default: 500_000 },
  // Rows x columns a training may hold: ~1 GB of RSS at 20M (500,000 rows of 40 columns); refused while read, before the fit.
  maxTrainingCells: { env: "RETAINWISE_MAX_TRAINING_CELLS", default: 20_000_000 },
  // Columns of an uploaded file (scoring and training; 400 past it): 500 rows x 5,000 columns once took 2.84 GB to train.
  maxColumns: { env: "RETAINWISE_MAX_COLUMNS", default: 1_000 },
  maxConcurrentTrainings: { env: "RETAINWISE_MAX_CONCURRENT_TRAININGS", default: 2 },
  // Per API instance (in memory): n instances let an account stream n times as many.
  maxConcurrentUploads: { env: "RETAINWISE_MAX_CONCURRENT_UPLOADS", default: 4 },
  // Per API key and API instance; bursts of up to as many. An open web UI page polls once a second (60 a minute).
  rateLimitPerMinute: { env: "RETAINWISE_RATE_LIMIT_PER_MINUTE", default: 600 },
  // Per client address and API instance: keys refused (401), counted before the next key is looked up.
  authFailuresPerMinute: { env: "RETAINWISE_AUTH_FAILURES_PER_MINUTE", default: 60 },
  // 0 reads the socket's address; behind proxies that append to X-Forwarded-For, how many (infra/api.ts sets it).
  trustedProxyHops: { env: "RETAINWISE_TRUSTED_PROXY_HOPS", default: 0 },
  modelCacheSize: { env: "RETAINWISE_MODEL_CACHE_SIZE", default: 8 },

  // Injected by ECS into every container; the worker uses it for task scale-in protection.
  ecsAgentUri: { env: "ECS_AGENT_URI" },
  // Injected by ECS too: the task metadata, whose task definition revision is the worker's generation.
  ecsMetadataUri: { env: "ECS_CONTAINER_METADATA_URI_V4" },
};

export interface LoadConfigInput {
  env?: Record<string, string | undefined>;
  /** Parsed command-line flags, by setting name; undefined entries are ignored. */
  flags?: Partial<Record<Key, unknown>>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig({ env = process.env, flags = {} }: LoadConfigInput = {}): Config {
  const mode = flags.mode ?? env.RETAINWISE_MODE ?? SETTINGS.mode.default;
  const raw: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]) {
    const modeDefault = mode === "aws" ? setting.aws : setting.local;
    raw[key] = firstDefined(
      flags[key],
      env[setting.env] === "" ? undefined : env[setting.env],
      modeDefault,
      setting.default,
    );
  }
  const parsed = v.safeParse(ConfigSchema, raw);
  if (!parsed.success) throw new ConfigError(parsed.issues.map((issue) => describe(issue, raw)));
  assertModeRequirements(parsed.output);
  assertRolesComplete(parsed.output);
  return withDatabasePassword(parsed.output);
}

function firstDefined(...values: unknown[]): unknown {
  return values.find((x) => x !== undefined);
}

function describe(issue: v.BaseIssue<unknown>, raw: Record<string, unknown>): string {
  const key = (v.getDotPath(issue) ?? "") as Key;
  const setting = SETTINGS[key];
  const name = setting ? `${setting.env} (--${kebab(key)})` : key;
  return `${name} ${issue.message}, got ${JSON.stringify(raw[key])}`;
}

/** Puts a separately delivered password into the database URL (which then never holds it in env). */
function withDatabasePassword(config: Config): Config {
  if (!config.databaseUrl || config.databasePassword === undefined) return config;
  const url = new URL(config.databaseUrl);
  url.password = encodeURIComponent(config.databasePassword);
  return { ...config, databaseUrl: url.toString() };
}

function assertModeRequirements(config: Config): void {
  if (config.mode !== "aws") return;
  const missing = (["databaseUrl", "bucket", "queueUrl"] as const)
    .filter((k) => !config[k])
    .map((k) => `${SETTINGS[k].env} is required in aws mode`);
  if (missing.length > 0) throw new ConfigError(missing);
}

/** The role settings come as a set (the Migrate task gets all four): half of them would migrate as the wrong user. */
function assertRolesComplete(config: Config): void {
  const keys = [
    "databaseAdminUser",
    "databaseAdminPassword",
    "databaseRuntimeUser",
    "databaseRuntimePassword",
  ] as const;
  const given = keys.filter((k) => config[k] !== undefined);
  if (given.length === 0 || given.length === keys.length) return;
  throw new ConfigError(
    keys
      .filter((k) => config[k] === undefined)
      .map((k) => `${SETTINGS[k].env} is required with ${given.map((g) => SETTINGS[g].env).join(", ")}`),
  );
}

/**
 * `--data-dir DIR`, `--port=9000`, … : any setting as a flag, named as in the table (kebab-case).
 * Unknown flags are errors, so a typo never silently falls back to a default.
 */
export function settingFlags(argv: readonly string[]): Partial<Record<Key, string>> {
  const flags: Partial<Record<Key, string>> = {};
  const byFlag = new Map(Object.keys(SETTINGS).map((key) => [kebab(key), key as Key]));
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(argv[i]!);
    const key = match && byFlag.get(match[1]!);
    if (!match || !key)
      throw new ConfigError([
        `unknown option "${argv[i]}" (options are the settings: --port, --data-dir, --log-level, …; see docs/CONFIGURATION.md)`,
      ]);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new ConfigError([`--${match[1]} needs a value`]);
    flags[key] = value;
  }
  return flags;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Every setting as a flag, for `--help`: `  --data-dir VALUE   RETAINWISE_DATA_DIR (default .retainwise)`. */
export function settingsHelp(mode: "local" | "aws"): string {
  const rows = (Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]).map(([key, s]) => {
    const fallback = (mode === "local" ? s.local : s.aws) ?? s.default;
    return [`  --${kebab(key)} VALUE`, `${s.env}${fallback === undefined ? "" : ` (default ${fallback})`}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, what]) => flag.padEnd(width) + what).join("\n");
}
