/**
 * Structured JSON logs, one object per line on stderr, so stdout stays free for program output
 * (`retainwise score in.csv -o -` writes the scored CSV there).
 *
 * Never pass secrets or customer rows as fields: log ids, counts and error codes.
 *
 * @example
 *   const log = createLogger({ component: "worker" });
 *   log.child({ jobId }).info("job completed", { rows: 5626 });
 */
import { ellipsize } from "./bounded-text.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Characters of one string field (or error message) in a log line: a line stays readable and bounded whatever it is given. */
export const LOG_FIELD_MAX_CHARS = 1000;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
}

export function createLogger(bound: LogFields = {}, options: LoggerOptions = {}): Logger {
  const { level = "info", write = (line) => process.stderr.write(line + "\n") } = options;
  const emit = (at: LogLevel, message: string, fields?: LogFields) => {
    if (LEVEL_RANK[at] < LEVEL_RANK[level]) return;
    const record = {
      time: new Date().toISOString(),
      level: at,
      msg: ellipsize(message, LOG_FIELD_MAX_CHARS),
      ...bound,
      ...serializeFields(fields),
    };
    write(JSON.stringify(record));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...bound, ...fields }, options),
  };
}

/**
 * Errors become `{name, code, message}`: stack traces only at debug, never an error's extra props
 * (SQL, rows). Strings are cut to LOG_FIELD_MAX_CHARS.
 */
function serializeFields(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error)
      out[key] = {
        name: value.name,
        code: (value as { code?: unknown }).code,
        message: ellipsize(value.message, LOG_FIELD_MAX_CHARS),
      };
    else out[key] = typeof value === "string" ? ellipsize(value, LOG_FIELD_MAX_CHARS) : value;
  }
  return out;
}

/** A logger that drops everything: for tests and library callers that did not ask for logs. */
export const silentLogger: Logger = createLogger({}, { write: () => {} });
