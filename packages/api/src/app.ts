import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { ApiDeps, ApiEnv } from "./env.ts";
import { errorHandler, notFoundHandler } from "./errors.ts";
import { accessLog } from "./middleware/access-log.ts";
import { bearerAuth } from "./middleware/auth.ts";
import { idempotency } from "./middleware/idempotency.ts";
import { authFailureLimit, rateLimit } from "./middleware/rate-limit.ts";
import { uploadSlots } from "./middleware/upload-slots.ts";
import { securityHeaders } from "./middleware/security-headers.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { modelChartRoutes } from "./routes/model-charts.ts";
import { insightRoutes } from "./routes/insights.ts";
import { outcomeRoutes } from "./routes/outcomes.ts";
import { accountRoutes, modelRoutes } from "./routes/models.ts";
import { ACCEPTED_TYPES, predictionRoutes } from "./routes/predictions.ts";
import { uiRoutes } from "./ui/index.ts";

/** The endpoints that take an upload: limited per account, and idempotent with `Idempotency-Key`. */
const UPLOAD_PATHS = ["/v1/predictions", "/v1/models", "/v1/outcomes"];

/**
 * The HTTP application: `/v1` API, health checks, OpenAPI + docs, signed local downloads and the
 * web UI. Pure Web-standard Request -> Response, so tests call `app.request()` directly.
 *
 * @example
 *   const app = createApp({ predictions, accounts, store, queue, logger, maxUploadBytes: 5 * 2 ** 30, downloadUrlTtlSeconds: 600 });
 *   const server = await serveApi(app, { port: 8080, host: "127.0.0.1" });
 */
export function createApp(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  // Hono's: the caller's X-Request-Id when it is sane (word characters, '-', '=', up to 255), else a UUID; echoed back.
  app.use("*", requestId());
  app.use("*", accessLog(deps.logger));
  app.use("*", securityHeaders());
  app.onError(errorHandler(deps.logger));
  app.use("/v1/*", rateLimit({ requestsPerMinute: deps.rateLimitPerMinute }));
  app.use("/v1/*", authFailureLimit({ failuresPerMinute: deps.authFailuresPerMinute, trustedProxyHops: deps.trustedProxyHops }));
  app.on("POST", UPLOAD_PATHS, bearerAuth(deps.accounts), idempotency({ keys: deps.idempotencyKeys, logger: deps.logger }), uploadSlots({ maxPerAccount: deps.maxConcurrentUploads }));
  app.notFound(notFoundHandler);

  app.route("/", healthRoutes(deps));
  app.route("/", docsRoutes());
  app.get("/v1/limits", (c) => c.json({ maxUploadBytes: deps.maxUploadBytes, maxTrainingBytes: deps.maxTrainingBytes, acceptedTypes: ACCEPTED_TYPES, acceptedExtensions: [".csv", ".txt"] }));
  app.route("/v1", outcomeRoutes(deps));
  app.route("/v1/insights", insightRoutes(deps));
  app.route("/v1/predictions", predictionRoutes(deps));
  app.route("/v1/models", modelChartRoutes(deps));
  app.route("/v1/models", modelRoutes(deps));
  app.route("/v1/account", accountRoutes(deps));
  if (deps.serveDownload) {
    const serve = deps.serveDownload;
    app.get("/files/*", (c) => serve(c.req.raw));
  }
  app.route("/", uiRoutes());
  return app;
}

