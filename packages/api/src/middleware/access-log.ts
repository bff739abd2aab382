import type { MiddlewareHandler } from "hono";
import type { Logger } from "@retainwise/core/log";
import type { ApiEnv } from "../env.ts";

/** One structured line per request: ids, status, timing. Never headers, keys or bodies. */
export function accessLog(logger: Logger): MiddlewareHandler<ApiEnv> {
  return async function accessLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    if (c.req.path === "/healthz") return;
    logger.info("request", {
      requestId: c.get("requestId"),
      accountId: c.get("account")?.id,
      method: c.req.method,
      path: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  };
}
