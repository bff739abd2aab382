import { Hono } from "hono";
import { errorBody, RetainwiseError } from "@retainwise/core/errors";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { documented, type RouteDoc } from "../openapi/route-docs.ts";

const HEALTHZ: RouteDoc = {
  summary: "The process is up",
  public: true,
  responses: { 200: { description: "ok: {ok: true}" } },
};
const READYZ: RouteDoc = {
  summary: "Database, store and queue reachable (the load balancer's check)",
  public: true,
  responses: { 200: { description: "ready: {ok: true, checks}" } },
  errors: ["service.not_ready"],
};

/** How long readiness waits for each dependency before calling it down. */
const PING_TIMEOUT_MS = 3_000;

/** `/healthz`: the process answers. `/readyz`: database, store and queue answer too (load balancer check). */
export function healthRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get(
    "/healthz",
    documented(HEALTHZ, (c) => c.json({ ok: true })),
  );
  app.get(
    "/readyz",
    documented(READYZ, async (c) => {
      const checks = { database: deps.predictions.ping(), store: deps.store.ping(), queue: deps.queue.ping() };
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, ping]) => [name, await answers(ping)] as const),
      );
      const down = results.filter(([, ok]) => !ok).map(([name]) => name);
      if (down.length === 0) return c.json({ ok: true, checks: Object.fromEntries(results) });
      const error = new RetainwiseError("service.not_ready", `Not ready: ${down.join(", ")} unreachable.`);
      return c.json({ ...errorBody(error), checks: Object.fromEntries(results) }, 503);
    }),
  );
  return app;
}

async function answers(ping: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)));
  try {
    return await Promise.race([
      ping.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
