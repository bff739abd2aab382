import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { ApiDeps, ApiEnv } from "./env.ts";
import { errorHandler, notFoundHandler } from "./errors.ts";
import { accessLog } from "./middleware/access-log.ts";
import { securityHeaders } from "./middleware/security-headers.ts";
import { docsRoutes } from "./routes/docs.ts";
import { outsideTheApi } from "./openapi/route-docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { v1Routes } from "./routes/v1.ts";
import { uiRoutes } from "./ui/index.ts";

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
  app.notFound(notFoundHandler);

  app.route("/", healthRoutes(deps));
  app.route(
    "/",
    docsRoutes(() => app),
  );
  app.route("/v1", v1Routes(deps));
  if (deps.serveDownload) {
    const serve = deps.serveDownload;
    app.get(
      "/files/*",
      outsideTheApi("signed links that presigned URLs point to", (c) => serve(c.req.raw)),
    );
  }
  app.route("/", uiRoutes());
  return app;
}
