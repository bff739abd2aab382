import { Hono, type MiddlewareHandler } from "hono";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { bearerAuth } from "../middleware/auth.ts";
import { idempotency, IdempotencyKeySchema } from "../middleware/idempotency.ts";
import { contributes } from "../openapi/route-docs.ts";
import { authFailureLimit, rateLimit } from "../middleware/rate-limit.ts";
import { uploadSlots } from "../middleware/upload-slots.ts";
import { accountRoutes } from "./account.ts";
import { insightRoutes } from "./insights.ts";
import { limitRoutes } from "./limits.ts";
import { modelRoutes } from "./models.ts";
import { outcomeRoutes } from "./outcomes.ts";
import { predictionRoutes } from "./predictions.ts";

/** The only `/v1` paths that answer without an API key. */
export const PUBLIC_V1_PATHS: ReadonlySet<string> = new Set(["/v1/limits"]);

/**
 * Middleware a router puts on its own routes: `idempotent` on every POST that creates a job
 * (`Idempotency-Key`), `upload` on those that stream a file in (one account's uploads at once).
 * Made once, so the upload slots of the three upload routes are counted together.
 */
export interface RouteGuards {
  idempotent: MiddlewareHandler<ApiEnv>;
  upload: MiddlewareHandler<ApiEnv>;
}

/**
 * `/v1`: rate limits, then the API key, checked once here for every path but the public ones, so
 * every handler runs as exactly one account; then one router per resource, each owning all of its
 * subpaths (`/v1/predictions/:id/performance` is the predictions router's), so no route depends
 * on the order they are mounted in.
 */
export function v1Routes(deps: ApiDeps): Hono<ApiEnv> {
  const v1 = new Hono<ApiEnv>();
  const auth = bearerAuth(deps.accounts);
  v1.use("*", contributes({ errors: ["rate.limited"] }, rateLimit({ requestsPerMinute: deps.rateLimitPerMinute })));
  v1.use(
    "*",
    contributes(
      { errors: ["rate.auth_failures"] },
      authFailureLimit({ failuresPerMinute: deps.authFailuresPerMinute, trustedProxyHops: deps.trustedProxyHops }),
    ),
  );
  // The key is looked up in the database: 503 when it cannot answer.
  const authDoc = {
    security: true,
    errors: ["auth.missing", "auth.malformed", "auth.invalid", "db.unavailable"],
    skips: (path: string) => PUBLIC_V1_PATHS.has(path),
  } as const;
  v1.use(
    "*",
    contributes(authDoc, (c, next) => (PUBLIC_V1_PATHS.has(c.req.path) ? next() : auth(c, next))),
  );

  const guards: RouteGuards = {
    idempotent: contributes(
      {
        headers: IdempotencyKeySchema,
        errors: ["request.invalid_idempotency_key", "idempotency.key_reused", "idempotency.in_progress"],
      },
      idempotency({ keys: deps.idempotencyKeys, logger: deps.logger }),
    ),
    upload: contributes({ errors: ["upload.too_many"] }, uploadSlots({ maxPerAccount: deps.maxConcurrentUploads })),
  };
  v1.route("/limits", limitRoutes(deps));
  v1.route("/predictions", predictionRoutes(deps, guards));
  v1.route("/models", modelRoutes(deps, guards));
  v1.route("/outcomes", outcomeRoutes(deps, guards));
  v1.route("/insights", insightRoutes(deps));
  v1.route("/account", accountRoutes(deps));
  return v1;
}
