import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { ApiEnv } from "../env.ts";

export interface RequestIdOptions {
  header?: string;
}

/** Gives every request an id (the caller's, if it is sane) and echoes it, so a customer can quote it. */
export function requestId({ header = "X-Request-Id" }: RequestIdOptions = {}): MiddlewareHandler<ApiEnv> {
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header(header);
    const id = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    c.set("requestId", id);
    c.header(header, id);
    await next();
  };
}
