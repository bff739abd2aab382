import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { RetainwiseError } from "@retainwise/core/errors";
import type { ApiEnv } from "../env.ts";

export interface RateLimitOptions {
  /** Requests each API key may make per minute, in bursts of up to as many (a token bucket). */
  requestsPerMinute?: number;
  /** Keys remembered at once; the least recently seen is forgotten first (memory stays bounded under a flood of made-up keys). */
  maxKeys?: number;
  /** Milliseconds, monotonic; tests pass their own clock. */
  now?: () => number;
}

export const DEFAULT_REQUESTS_PER_MINUTE = 600;

/**
 * Per-key request rate limit, per API instance (n instances allow n times as much: docs/ERRORS.md,
 * README). Keyed on the bearer token itself, before it is looked up, so a flood of wrong keys is
 * throttled before it reaches the database; only a hash of the token is kept. Requests without a
 * token pass (they are refused 401 by `bearerAuth`, or are public).
 *
 * @example
 *   app.use("/v1/*", rateLimit({ requestsPerMinute: 600 }));
 */
export function rateLimit({ requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE, maxKeys = 10_000, now = () => performance.now() }: RateLimitOptions = {}): MiddlewareHandler<ApiEnv> {
  const perMs = requestsPerMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async function rateLimitMiddleware(c, next) {
    const token = /^Bearer\s+(\S+)/i.exec(c.req.header("Authorization") ?? "")?.[1];
    if (!token) return next();
    const id = createHash("sha256").update(token).digest("base64url");
    const time = now();
    const last = buckets.get(id);
    const tokens = Math.min(requestsPerMinute, (last?.tokens ?? requestsPerMinute) + (last ? (time - last.at) * perMs : 0));
    buckets.delete(id); // re-inserted below: Map order is then least recently seen first
    if (tokens < 1) {
      buckets.set(id, { tokens, at: time });
      const waitSeconds = Math.ceil((1 - tokens) / perMs / 1000);
      throw new RetainwiseError("rate.limited", `This API key made more than ${requestsPerMinute} requests in a minute. Slow down: retry in ${waitSeconds} s.`, { retryAfterSeconds: waitSeconds });
    }
    buckets.set(id, { tokens: tokens - 1, at: time });
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
    await next();
  };
}
