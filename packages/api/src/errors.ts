import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isRetainwiseError, type Logger } from "@retainwise/core";

/** An error with its HTTP answer: `{error: {code, message}}` under `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The one place errors become responses. Unknown errors are logged with the request id and never echoed. */
export function errorHandler(logger: Logger) {
  return function onError(error: Error, c: Context): Response {
    const answer = toAnswer(error);
    if (answer.status >= 500) logger.error("request failed", { requestId: c.get("requestId" as never), path: c.req.path, error });
    return c.json({ error: { code: answer.code, message: answer.message } }, answer.status);
  };
}

function toAnswer(error: Error): { status: ContentfulStatusCode; code: string; message: string } {
  if (error instanceof ApiError) return error;
  if (isRetainwiseError(error)) {
    if (error.code === "not_found") return { status: 404, code: error.code, message: error.message };
    if (!error.permanent) return { status: 503, code: error.code, message: "A dependency is temporarily unavailable; please retry in a moment." };
    return { status: 400, code: error.code, message: error.message };
  }
  return { status: 500, code: "internal", message: "Something went wrong on our side. Please retry; if it persists, contact support with the X-Request-Id header." };
}
