/**
 * Domain errors carry a stable `code` (for programs), a message that tells a customer what is wrong
 * and how to fix it (for people), and the low-level `cause` (for us). Adapters translate SDK and
 * SQLSTATE errors into these next to the call, so nothing above them matches on foreign errors.
 *
 * Every code has a `kind` (ERROR_CODES below, the one list; docs/ERRORS.md lists it for customers):
 * what went wrong from the caller's point of view. The kind decides everything else: the HTTP status
 * (api's one kind -> status table), whether the message may be shown (never for `internal`), and
 * whether retrying can help (`permanent`): a malformed CSV stays malformed (FAILED at once), a
 * dropped connection or a bug on our side may not (retried through queue redelivery).
 *
 * A code has one kind wherever it is thrown (no throw site picks another), so one code always
 * answers one status.
 *
 * @example
 *   throw new RetainwiseError("csv.missing_columns", "The file has no tenure column…");
 */
export class RetainwiseError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  /** For `unavailable` and `rate_limited`: when a retry may succeed (HTTP `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;
  /** What a program needs to act on the error without parsing its message (sent as `error.details`). */
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options: RetainwiseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RetainwiseError";
    this.code = code;
    this.kind = kindOf(code);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  /** False when retrying the same work may succeed: the dependency or our own code failed, not the input. */
  get permanent(): boolean {
    return !RETRYABLE_KINDS.includes(this.kind);
  }
}

export interface RetainwiseErrorOptions {
  cause?: unknown;
  retryAfterSeconds?: number;
  details?: ErrorDetails;
}

/**
 * Machine-readable facts of an error, for the caller's program: e.g. `csv.missing_columns` on an
 * upload lists `missingColumns` and the account's `matchingModels` that read the file.
 */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * What went wrong, for the caller: `input` (fix the request or the file), `auth` (no or a bad API
 * key), `forbidden`, `not_found`, `timeout` (the client was too slow), `conflict` (not in a state
 * that allows it, e.g. not finished yet), `too_large`, `unsupported` (media type), `rate_limited`,
 * `unavailable` (a dependency failed: retry later) and `internal` (our bug: details logged, never sent).
 */
export const ERROR_KINDS = [
  "input",
  "auth",
  "forbidden",
  "not_found",
  "timeout",
  "conflict",
  "too_large",
  "unsupported",
  "rate_limited",
  "unavailable",
  "internal",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Kinds whose work the worker retries (by redelivery) instead of failing the job as the customer's. */
export const RETRYABLE_KINDS: readonly ErrorKind[] = ["unavailable", "internal"];

/**
 * Every error code and its kind: the one list, closed (docs/ERRORS.md is checked against it by a
 * test). Not-found codes are all `<thing>.not_found`.
 */
export const ERROR_CODES = {
  // Requests
  "request.bad_id": "input",
  // A query parameter, form field or JSON body field that failed validation (`request.invalid_<name>`),
  // or a JSON body that is not an object: each name is a key of a schema the API validates with.
  "request.invalid_body": "input",
  "request.invalid_limit": "input",
  "request.invalid_model": "input",
  "request.invalid_challenger": "input",
  "request.invalid_idColumn": "input",
  "request.invalid_label": "input",
  "request.invalid_name": "input",
  "request.invalid_positive": "input",
  "request.invalid_modelId": "input",
  "request.invalid_actionable": "input",
  "request.invalid_from": "input",
  "request.invalid_to": "input",
  "request.invalid_bucket": "input",
  "request.invalid_cursor": "input",
  "request.invalid_range": "input",
  "request.invalid_idempotency_key": "input",
  "route.not_found": "not_found",
  "asset.not_found": "not_found",
  "service.not_ready": "unavailable",
  "auth.missing": "auth",
  "auth.malformed": "auth",
  "auth.invalid": "auth",
  "rate.limited": "rate_limited",
  "rate.auth_failures": "rate_limited",
  "idempotency.key_reused": "conflict",
  "idempotency.in_progress": "conflict",
  // Uploads
  "upload.empty": "input",
  "upload.aborted": "input",
  "upload.no_file": "input",
  "upload.bad_multipart": "input",
  "upload.timeout": "timeout",
  "upload.too_large": "too_large",
  "upload.unsupported_type": "unsupported",
  "upload.not_csv": "unsupported",
  "upload.too_many": "rate_limited",
  // CSV files
  "csv.not_text": "input",
  "csv.empty": "input",
  "csv.no_header": "input",
  "csv.header_too_long": "input",
  "csv.duplicate_headers": "input",
  "csv.missing_columns": "input",
  "csv.unclosed_quote": "input",
  "csv.invalid_quote": "input",
  "csv.no_rows": "input",
  "csv.too_many_columns": "input",
  "csv.too_many_bad_rows": "input",
  // Predictions
  "prediction.not_found": "not_found",
  "prediction.not_ready": "conflict",
  "prediction.input_gone": "conflict",
  "error_report.not_found": "not_found",
  "performance.not_enough_outcomes": "conflict",
  "outcomes.none_accepted": "input",
  "prediction.no_challenger": "conflict",
  "scoring.failed": "internal",
  "scoring.thread_failed": "unavailable",
  "scores.unreadable": "internal",
  "output.closed": "unavailable",
  // Models and training
  "model.not_found": "not_found",
  "request.same_model": "input",
  "model_card.not_found": "not_found",
  "model.not_ready": "conflict",
  "model.builtin": "conflict",
  "model.deleted": "conflict",
  "model.too_many_trainings": "rate_limited",
  "model.invalid": "input",
  "model.invalid_card": "input",
  "model.card_mismatch": "input",
  "model.unsupported": "input",
  "model.no_probability_output": "input",
  "model.label_clash": "input",
  "model.not_enough_outcomes": "input",
  "train.empty_file": "input",
  "train.missing_label": "input",
  "train.unknown_column": "input",
  "train.label_classes": "input",
  "train.one_class": "input",
  "train.unknown_positive": "input",
  "train.no_inputs": "input",
  "train.too_few_rows_of_class": "input",
  "train.too_many_bad_rows": "input",
  "train.too_many_rows": "input",
  "train.too_large": "input",
  "train.failed": "internal",
  "train.thread_failed": "internal",
  // Jobs
  "job.released": "unavailable",
  "job.aborted": "unavailable",
  "job.lost": "conflict",
  "job.stalled": "unavailable",
  "job.attempts_exhausted": "unavailable",
  "job.shard_failed": "conflict",
  // Storage, queue, database, cloud
  "store.not_found": "not_found",
  "store.invalid_key": "internal",
  "store.unavailable": "unavailable",
  "download.malformed": "forbidden",
  "download.bad_signature": "forbidden",
  "download.expired": "forbidden",
  "queue.receipt_invalid": "internal",
  "queue.invalid_max": "internal",
  "db.unavailable": "unavailable",
  "db.unreachable": "unavailable",
  "db.error": "internal",
  "db.migration_changed": "internal",
  "db.not_migrated": "internal",
  "db.bad_role": "internal",
  "aws.unavailable": "unavailable",
  "aws.aborted": "unavailable",
  "aws.failed": "internal",
  "ecs.task_protection_unreachable": "unavailable",
  "ecs.task_protection_refused": "unavailable",
  "ecs.task_metadata_unreachable": "unavailable",
  "ecs.task_metadata_unexpected": "unavailable",
  // One-machine mode
  "local.postgres_start": "internal",
  "local.postgres_init": "internal",
  "local.postgres_user": "internal",
  "local.data_dir_in_use": "conflict",
  "local.postgres_down": "unavailable",
  // Anything not ours (a bug): answered as this, never with its message.
  internal: "internal",
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A name the API validates a parameter or body field under: `request.invalid_<name>` is its code. */
export type ParameterName = ErrorCode extends infer C ? (C extends `request.invalid_${infer P}` ? P : never) : never;

/** Codes of a kind: `CodeOf<"unavailable">` is every code a retry may fix because a dependency failed. */
export type CodeOf<K extends ErrorKind> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C] extends K ? C : never;
}[ErrorCode];

/** The kind of a code: its row in ERROR_CODES. */
export function kindOf(code: ErrorCode): ErrorKind {
  return ERROR_CODES[code];
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * The HTTP status of each kind: one table for every endpoint (and the signed download links of
 * the one-machine mode), so a code always answers the same status.
 */
export const STATUS_OF_KIND = {
  input: 400,
  auth: 401,
  forbidden: 403,
  not_found: 404,
  timeout: 408,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<ErrorKind, number>;

/** What every error answer's body is: `{error: {code, kind, message, details?, requestId?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; kind: ErrorKind; message: string; details?: ErrorDetails; requestId?: string };
}

/** The one function every error body is built by (api's error handler, /readyz, the files store's signed links). */
export function errorBody(
  error: Pick<RetainwiseError, "code" | "kind" | "message" | "details">,
  requestId?: string,
): ErrorBody {
  return {
    error: {
      code: error.code,
      kind: error.kind,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...(requestId ? { requestId } : {}),
    },
  };
}

/** The object or row asked for does not exist (or belongs to someone else: we never say which). */
export class NotFoundError extends RetainwiseError {
  constructor(what: string, options: { cause?: unknown } = {}) {
    super("store.not_found", `${what} was not found.`, options);
    this.name = "NotFoundError";
  }
}

/** A dependency (store, queue, database, network) failed in a way a retry may fix. */
export class TransientError extends RetainwiseError {
  constructor(
    code: CodeOf<"unavailable">,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(code, message, options);
    this.name = "TransientError";
  }
}

export function isRetainwiseError(error: unknown): error is RetainwiseError {
  return error instanceof RetainwiseError;
}
