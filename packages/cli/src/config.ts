import * as v from "valibot";

/**
 * THE configuration module: the only code that reads the environment. Every setting has one row
 * below (env var, flag, default, validation); `loadConfig` merges flags over env over SST links over
 * defaults and reports every bad setting at once, by name.
 *
 * Deployed by SST, linked resources arrive as `SST_RESOURCE_<Name>` env vars holding JSON (the same
 * ones `Resource.<Name>` from the `sst` package reads); `SST_LINKS` maps them onto settings.
 *
 * @example
 *   const config = loadConfig({ flags: { mode: "local", port: "9000" } });
 */
const toInt = (min: number, max: number) => v.pipe(v.unknown(), v.transform(Number), v.number("must be a number"), v.integer("must be an integer"), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
const toNumber = (min: number, max: number) => v.pipe(v.unknown(), v.transform(Number), v.number("must be a number"), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
const toBool = v.pipe(v.unknown(), v.transform((x) => x === true || x === "true" || x === "1"));
const optionalUrl = v.optional(v.pipe(v.string(), v.url("must be a URL")));

const ConfigSchema = v.object({
  mode: v.picklist(["local", "aws"], 'must be "local" or "aws"'),
  port: toInt(0, 65535),
  host: v.string(),
  dataDir: v.pipe(v.string(), v.minLength(1)),
  databaseUrl: v.optional(v.pipe(v.string(), v.regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"))),
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
  maxBadRowShare: toNumber(0, 1),
  relayIntervalSeconds: toNumber(0.1, 3600),
  relayGraceSeconds: toNumber(0, 3600),
  shutdownDeadlineSeconds: toNumber(0, 3600),
  logLevel: v.picklist(["debug", "info", "warn", "error"], "must be debug, info, warn or error"),
  awsRegion: v.string(),
  bucket: v.optional(v.string()),
  // A regex, not v.url(): emulators' queue URLs (`http://sqs.us-east-1.127.0.0.1:4566/…`) are not WHATWG-valid hosts.
  queueUrl: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/\S+$/, "must be an http(s) URL"))),
  awsEndpoint: optionalUrl,
  forcePathStyle: toBool,
});

export type Config = v.InferOutput<typeof ConfigSchema>;
type Key = keyof Config;

/** One row per setting: its env var, its default (by mode where they differ). */
const SETTINGS: Record<Key, { env: string; default?: unknown; local?: unknown; aws?: unknown }> = {
  mode: { env: "RETAINWISE_MODE", default: "local" },
  port: { env: "RETAINWISE_PORT", local: 8080, aws: 3000 },
  host: { env: "RETAINWISE_HOST", local: "127.0.0.1", aws: "0.0.0.0" },
  dataDir: { env: "RETAINWISE_DATA_DIR", default: ".retainwise" },
  databaseUrl: { env: "DATABASE_URL" },
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
  maxBadRowShare: { env: "RETAINWISE_MAX_BAD_ROW_SHARE", default: 0.1 },
  relayIntervalSeconds: { env: "RETAINWISE_RELAY_INTERVAL_SECONDS", default: 5 },
  relayGraceSeconds: { env: "RETAINWISE_RELAY_GRACE_SECONDS", default: 10 },
  // ECS sends SIGKILL 30 s after SIGTERM (stopTimeout in infra/worker.ts): finish or release before.
  shutdownDeadlineSeconds: { env: "RETAINWISE_SHUTDOWN_DEADLINE_SECONDS", default: 25 },
  logLevel: { env: "RETAINWISE_LOG_LEVEL", default: "info" },
  awsRegion: { env: "AWS_REGION", default: "us-east-1" },
  bucket: { env: "RETAINWISE_BUCKET" },
  queueUrl: { env: "RETAINWISE_QUEUE_URL" },
  awsEndpoint: { env: "RETAINWISE_AWS_ENDPOINT" },
  forcePathStyle: { env: "RETAINWISE_FORCE_PATH_STYLE", default: false },
};

/** SST links (`SST_RESOURCE_<Name>` JSON) -> settings. Adjust here when infra/ renames a link. */
const SST_LINKS: Record<string, (value: Record<string, unknown>) => Partial<Record<Key, unknown>>> = {
  Bucket: (r) => ({ bucket: r.name }),
  Jobs: (r) => ({ queueUrl: r.url }),
  Database: (r) => ({ databaseUrl: `postgres://${encodeURIComponent(String(r.username))}:${encodeURIComponent(String(r.password))}@${r.host}:${r.port}/${r.database}` }),
  DownloadSigningKey: (r) => ({ signingSecret: r.value }),
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
  const fromLinks = readLinks(env);
  const mode = flags.mode ?? env.RETAINWISE_MODE ?? SETTINGS.mode.default;
  const raw: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]) {
    const modeDefault = mode === "aws" ? setting.aws : setting.local;
    raw[key] = firstDefined(flags[key], env[setting.env] === "" ? undefined : env[setting.env], fromLinks[key], modeDefault, setting.default);
  }
  const parsed = v.safeParse(ConfigSchema, raw);
  if (!parsed.success) throw new ConfigError(parsed.issues.map((issue) => describe(issue, raw)));
  assertModeRequirements(parsed.output);
  return parsed.output;
}

function readLinks(env: Record<string, string | undefined>): Partial<Record<Key, unknown>> {
  const out: Partial<Record<Key, unknown>> = {};
  for (const [name, map] of Object.entries(SST_LINKS)) {
    const json = env[`SST_RESOURCE_${name}`];
    if (!json) continue;
    try {
      Object.assign(out, map(JSON.parse(json) as Record<string, unknown>));
    } catch {
      throw new ConfigError([`SST_RESOURCE_${name} is not valid JSON (the SST link ${name} is broken)`]);
    }
  }
  return out;
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

function assertModeRequirements(config: Config): void {
  if (config.mode !== "aws") return;
  const missing = (["databaseUrl", "bucket", "queueUrl"] as const).filter((k) => !config[k]).map((k) => `${SETTINGS[k].env} is required in aws mode (or its SST link)`);
  if (missing.length > 0) throw new ConfigError(missing);
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
    if (!match || !key) throw new ConfigError([`unknown option "${argv[i]}" (options are the settings: --port, --data-dir, --log-level, …; see README: Configuration)`]);
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
