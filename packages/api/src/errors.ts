import type { Context } from "hono";
import type { ApiEnv } from "./env.ts";
import { errorBody, isRetainwiseError, RetainwiseError, STATUS_OF_KIND, type ErrorKind } from "@retainwise/core/errors";
import type { Logger } from "@retainwise/core/log";

/** The one kind -> HTTP status table (the kind of every code: ERROR_CODES in @retainwise/core). */
export { STATUS_OF_KIND };

/** `Retry-After` when the error does not say: a 503 is worth a retry soon (a failover takes longer; the client retries again). */
const DEFAULT_RETRY_AFTER_SECONDS: Partial<Record<ErrorKind, number>> = { unavailable: 5, rate_limited: 10 };

const GENERIC_MESSAGES: Partial<Record<ErrorKind, string>> = {
  internal:
    "Something went wrong on our side. Please retry; if it persists, contact support with the X-Request-Id header.",
  unavailable:
    "A service we depend on is temporarily unavailable; nothing was changed. Retry after the Retry-After seconds.",
};

/**
 * The one place errors become responses: `{error: {code, kind, message, details?, requestId}}` under the
 * kind's status, with `Retry-After` for `rate_limited` and `unavailable`. Internal and unavailable
 * errors are logged with the request id (their cause, e.g. a SQLSTATE, stays in the log) and answered
 * with a generic message; anything that is not a RetainwiseError is `internal`.
 */
export function errorHandler(logger: Logger) {
  return function onError(error: Error, c: Context<ApiEnv>): Response {
    const known = isRetainwiseError(error)
      ? error
      : new RetainwiseError("internal", "An unexpected error.", { cause: error });
    const status = STATUS_OF_KIND[known.kind];
    const requestId = c.get("requestId");
    const generic = GENERIC_MESSAGES[known.kind];
    if (generic)
      logger[known.kind === "internal" ? "error" : "warn"]("request failed", {
        requestId,
        path: c.req.path,
        code: known.code,
        error,
      });
    const retryAfter = known.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS[known.kind];
    if (retryAfter !== undefined) c.header("Retry-After", String(Math.max(1, Math.ceil(retryAfter))));
    const shown = generic ? { code: known.code, kind: known.kind, message: generic, details: undefined } : known;
    return c.json(errorBody(shown, requestId), status);
  };
}

/** Unknown paths: a `route.not_found` error like any other. */
export function notFoundHandler(c: Context<ApiEnv>): Response {
  const error = new RetainwiseError("route.not_found", `No route for ${c.req.method} ${c.req.path}. See /docs.`);
  return c.json(errorBody(error), STATUS_OF_KIND[error.kind]);
}
