import { createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import * as v from "valibot";
import { RetainwiseError } from "@retainwise/core/errors";
import type { Logger } from "@retainwise/core/log";
import type { IdempotencyClaim, IdempotencyKeys } from "@retainwise/core/ports";
import type { ApiEnv } from "../env.ts";
import { parseOr400 } from "../validate.ts";

export interface IdempotencyOptions {
  keys: IdempotencyKeys;
  logger: Logger;
  /** How long an answer is replayed (24 h). */
  ttlSeconds?: number;
  /** A running request refreshes its claim this often, and a claim this stale is taken over (its process died). */
  heartbeatSeconds?: number;
  staleAfterSeconds?: number;
}

/** 1-255 printable ASCII characters without spaces: a UUID, a hash, an order number. */
export const IdempotencyKeySchema = v.object({
  "Idempotency-Key": v.pipe(
    v.string(),
    v.description(
      "Retry safely: the same key from the same account within 24 h answers the original response (`Idempotent-Replayed: true`) instead of running again. 409 `idempotency.in_progress` while the first runs, 409 `idempotency.key_reused` for a different request (path, query, Content-Length).",
    ),
    v.minLength(1, "must not be empty"),
    v.maxLength(255, "must be at most 255 characters"),
    v.regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  ),
});

/** Headers of the original answer that a replay repeats. */
const REPLAYED_HEADERS = ["content-type", "location"];
/** Told to a client whose key is still being worked on: an upload usually finishes within seconds. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 5;

/**
 * `Idempotency-Key` on a POST: the first request with a key (per account) runs and its successful
 * answer — status, body, Location — is stored in Postgres for 24 h; a retry with the same key gets
 * that answer again (`Idempotent-Replayed: true`) without running. A retry while the first still
 * runs gets 409 `idempotency.in_progress`, a key reused for a different request 409
 * `idempotency.key_reused`. Requests are told apart by method, path, query and declared length
 * (an upload's bytes are streamed, never hashed). A failed request gives its key up, so fixing and
 * retrying works. Goes after `bearerAuth`; requests without the header pass untouched.
 *
 * @example
 *   app.post("/", idempotency({ keys, logger }), handler); // after bearerAuth on /v1/*
 */
export function idempotency({
  keys,
  logger,
  ttlSeconds = 24 * 3600,
  heartbeatSeconds = 30,
  staleAfterSeconds = 120,
}: IdempotencyOptions): MiddlewareHandler<ApiEnv> {
  return async function idempotencyMiddleware(c, next) {
    if (c.req.header("Idempotency-Key") === undefined) return next();
    const key = parseOr400(
      IdempotencyKeySchema,
      { "Idempotency-Key": c.req.header("Idempotency-Key") },
      "header",
      "request.invalid_idempotency_key",
    )["Idempotency-Key"];
    const accountId = c.get("account").id;
    const fingerprint = fingerprintOf(c);
    const claim = await keys.claim(accountId, key, fingerprint, { ttlSeconds, staleAfterSeconds });
    if (claim.state !== "claimed") return answerExisting(claim, fingerprint);

    const beat = setInterval(() => keys.heartbeat(accountId, key).catch(() => {}), heartbeatSeconds * 1000);
    try {
      await next();
    } finally {
      clearInterval(beat);
    }
    const log = { requestId: c.get("requestId"), accountId };
    if (c.res.status >= 200 && c.res.status < 300) {
      const response = { status: c.res.status, headers: pickHeaders(c.res.headers), body: await c.res.clone().text() };
      // The work is done: answer it even if it cannot be stored (a retry after the claim goes stale would run again).
      await keys
        .save(accountId, key, response)
        .catch((error: unknown) => logger.warn("idempotent answer not stored", { ...log, error }));
    } else {
      await keys
        .release(accountId, key)
        .catch((error: unknown) =>
          logger.warn("idempotency key not released; it frees itself when stale", { ...log, error }),
        );
    }
  };
}

function answerExisting(claim: Exclude<IdempotencyClaim, { state: "claimed" }>, fingerprint: string): Response {
  if (claim.fingerprint !== fingerprint) {
    throw new RetainwiseError(
      "idempotency.key_reused",
      "This Idempotency-Key was already used for a different request (another path, query or file size) in the last 24 hours. Use a new key for a new request.",
    );
  }
  if (claim.state === "in_progress") {
    throw new RetainwiseError(
      "idempotency.in_progress",
      "A request with this Idempotency-Key is still in progress. Retry after the Retry-After seconds to get its answer.",
      {
        retryAfterSeconds: IN_PROGRESS_RETRY_AFTER_SECONDS,
      },
    );
  }
  return new Response(claim.response.body, {
    status: claim.response.status,
    headers: { ...claim.response.headers, "Idempotent-Replayed": "true" },
  });
}

function fingerprintOf(c: Context<ApiEnv>): string {
  const url = new URL(c.req.url);
  const query = [...url.searchParams].sort(([a], [b]) => a.localeCompare(b));
  return createHash("sha256")
    .update(JSON.stringify([c.req.method, url.pathname, query, c.req.header("Content-Length") ?? null]))
    .digest("base64url");
}

function pickHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries(
    REPLAYED_HEADERS.flatMap((name) => (headers.has(name) ? [[name, headers.get(name)!]] : [])),
  );
}
