/**
 * Domain errors carry a stable `code` (for programs), a message that tells a customer what is wrong
 * and how to fix it (for people), and the low-level `cause` (for us). Adapters translate SDK and
 * SQLSTATE errors into these next to the call, so nothing above them matches on foreign errors.
 *
 * `permanent` says whether retrying can help: a malformed CSV stays malformed (FAILED at once),
 * a dropped connection may not (retried through queue redelivery).
 *
 * @example
 *   throw new RetainwiseError("csv.missing_columns", "The file has no tenure column…", { permanent: true });
 */
export class RetainwiseError extends Error {
  readonly code: string;
  readonly permanent: boolean;

  constructor(code: string, message: string, options: { permanent?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RetainwiseError";
    this.code = code;
    this.permanent = options.permanent ?? true;
  }
}

/** The object or row asked for does not exist (or belongs to someone else: we never say which). */
export class NotFoundError extends RetainwiseError {
  constructor(what: string, options: { cause?: unknown } = {}) {
    super("not_found", `${what} was not found.`, { permanent: true, ...options });
    this.name = "NotFoundError";
  }
}

/** A dependency (store, queue, database, network) failed in a way a retry may fix. */
export class TransientError extends RetainwiseError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { permanent: false, ...options });
    this.name = "TransientError";
  }
}

export function isRetainwiseError(error: unknown): error is RetainwiseError {
  return error instanceof RetainwiseError;
}
