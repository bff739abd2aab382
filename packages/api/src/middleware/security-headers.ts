import type { MiddlewareHandler } from "hono";
import type { ApiEnv } from "../env.ts";

export interface SecurityHeadersOptions {
  /** For responses that set none (JSON, the docs page, errors); the UI pages set their own. */
  contentSecurityPolicy?: string;
}

/**
 * `nosniff`, `no-referrer` and a Content-Security-Policy on every response: a JSON body or a CSV
 * is never run as a page, and the docs page may use only its inline style and the icon.
 */
export function securityHeaders({
  contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}: SecurityHeadersOptions = {}): MiddlewareHandler<ApiEnv> {
  return async function securityHeadersMiddleware(c, next) {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    if (!c.res.headers.has("Referrer-Policy")) c.res.headers.set("Referrer-Policy", "no-referrer");
    if (!c.res.headers.has("Content-Security-Policy"))
      c.res.headers.set("Content-Security-Policy", contentSecurityPolicy);
  };
}
