import type { MiddlewareHandler } from "hono";
import { RetainwiseError } from "@retainwise/core/errors";
import type { ApiEnv } from "../env.ts";

export interface UploadSlotsOptions {
  /** Uploads one account may stream at once into this API instance. */
  maxPerAccount?: number;
}

export const DEFAULT_CONCURRENT_UPLOADS = 4;

/** A refused upload is retried once another has finished: a few seconds for most files. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Caps the uploads an account streams at once (per API instance), so one customer's many slow
 * uploads cannot hold all the sockets, store writes and file handles. Goes after `bearerAuth`; the
 * slot is held until the handler has answered, i.e. until the upload was stored or refused.
 *
 * @example
 *   const upload = uploadSlots({ maxPerAccount: 4 }); // once, after bearerAuth on /v1/*
 *   app.post("/", upload, handler); // on each upload route
 */
export function uploadSlots({
  maxPerAccount = DEFAULT_CONCURRENT_UPLOADS,
}: UploadSlotsOptions = {}): MiddlewareHandler<ApiEnv> {
  const active = new Map<string, number>();
  return async function uploadSlotsMiddleware(c, next) {
    const accountId = c.get("account").id;
    const held = active.get(accountId) ?? 0;
    if (held >= maxPerAccount) {
      throw new RetainwiseError(
        "upload.too_many",
        `This account already has ${maxPerAccount} uploads in progress. Wait for one to finish, then send this one again.`,
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    active.set(accountId, held + 1);
    try {
      await next();
    } finally {
      const left = (active.get(accountId) ?? 1) - 1;
      if (left > 0) active.set(accountId, left);
      else active.delete(accountId);
    }
  };
}
