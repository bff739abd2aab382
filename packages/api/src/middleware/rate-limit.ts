import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
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
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 60;

/**
 * Token buckets by key, `perMinute` tokens each, refilled continuously; at most `maxKeys` kept,
 * the least recently seen forgotten first (Map order), so a flood of keys costs bounded memory.
 */
class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Seconds until `key` has a token, 0 when it has one now. */
  waitSeconds(key: string): number {
    const tokens = this.tokens(key);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.perMs / 1000);
  }

  /** Takes one of `key`'s tokens (going below one leaves it waiting). */
  take(key: string): void {
    const tokens = this.tokens(key);
    this.buckets.delete(key); // re-inserted: Map order is then least recently seen first
    this.buckets.set(key, { tokens: tokens - 1, at: this.now() });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  private tokens(key: string): number {
    const last = this.buckets.get(key);
    return last ? Math.min(this.perMinute, last.tokens + (this.now() - last.at) * this.perMs) : this.perMinute;
  }
}

/**
 * Per-key request rate limit, per API instance (n instances allow n times as much: docs/ERRORS.md,
 * docs/CONFIGURATION.md). Keyed on the bearer token itself, before it is looked up; only a hash of the token is
 * kept. Requests without a token pass (they are refused 401 by `bearerAuth`, or are public).
 *
 * @example
 *   app.use("/v1/*", rateLimit({ requestsPerMinute: 600 }));
 */
export function rateLimit({
  requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE,
  maxKeys = 10_000,
  now = () => performance.now(),
}: RateLimitOptions = {}): MiddlewareHandler<ApiEnv> {
  const buckets = new TokenBuckets(requestsPerMinute, maxKeys, now);
  return async function rateLimitMiddleware(c, next) {
    const token = bearerToken(c);
    if (!token) return next();
    const id = createHash("sha256").update(token).digest("base64url");
    const wait = buckets.waitSeconds(id);
    if (wait > 0)
      throw new RetainwiseError(
        "rate.limited",
        `This API key made more than ${requestsPerMinute} requests in a minute. Slow down: retry in ${wait} s.`,
        { retryAfterSeconds: wait },
      );
    buckets.take(id);
    await next();
  };
}

export interface AuthFailureLimitOptions {
  /** Requests with a key that is refused (401) one client address may make per minute. */
  failuresPerMinute?: number;
  /** Proxies in front of the API that append to `X-Forwarded-For` (the load balancer: 1); 0 reads the socket's address. */
  trustedProxyHops?: number;
  maxAddresses?: number;
  now?: () => number;
}

/**
 * Limits keys that fail per client address: made-up keys are all different, so the per-key limit
 * never sees a flood of them, and each would cost a database lookup. Once an address has had
 * `failuresPerMinute` keys refused, every request with a key from it gets 429 before the lookup,
 * until its bucket refills; a client behind the same address with a good key waits too (it cannot
 * be told apart without the lookup the limit saves).
 *
 * @example
 *   app.use("/v1/*", authFailureLimit({ failuresPerMinute: 60, trustedProxyHops: 1 }));
 */
export function authFailureLimit({
  failuresPerMinute = DEFAULT_AUTH_FAILURES_PER_MINUTE,
  trustedProxyHops = 0,
  maxAddresses = 10_000,
  now = () => performance.now(),
}: AuthFailureLimitOptions = {}): MiddlewareHandler<ApiEnv> {
  const buckets = new TokenBuckets(failuresPerMinute, maxAddresses, now);
  return async function authFailureLimitMiddleware(c, next) {
    if (!bearerToken(c)) return next();
    const address = clientAddress(c, trustedProxyHops);
    const wait = buckets.waitSeconds(address);
    if (wait > 0)
      throw new RetainwiseError(
        "rate.auth_failures",
        `More than ${failuresPerMinute} requests from this address in a minute had an API key that is not valid. Check the key: retry in ${wait} s.`,
        { retryAfterSeconds: wait },
      );
    await next();
    if (c.res.status === 401) buckets.take(address);
  };
}

function bearerToken(c: Context<ApiEnv>): string | undefined {
  return /^Bearer\s+(\S+)/i.exec(c.req.header("Authorization") ?? "")?.[1];
}

/**
 * The client's address: the socket's, or behind `hops` proxies that each append the address they
 * saw to `X-Forwarded-For`, the entry the outermost of them wrote (what a client writes itself sits
 * left of it and is never trusted).
 */
export function clientAddress(c: Context<ApiEnv>, hops: number): string {
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress ?? "unknown";
  if (hops <= 0) return socket;
  const forwarded = (c.req.header("X-Forwarded-For") ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - hops] ?? socket;
}
