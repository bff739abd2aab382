import { Hono } from "hono";
import { usableModel } from "@retainwise/core/models";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { DefaultModelSchema, toModelJson } from "../schemas.ts";
import { documented } from "../openapi/route-docs.ts";
import { jsonBody, parseOr400 } from "../validate.ts";
import { SET_DEFAULT_MODEL } from "./model-docs.ts";

/** `PUT /v1/account/default-model`: the model uploads score with when they name none. */
export function accountRoutes(deps: Pick<ApiDeps, "models">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.put(
    "/default-model",
    documented(SET_DEFAULT_MODEL, async (c) => {
      const account = c.get("account");
      const body = parseOr400(DefaultModelSchema, await jsonBody(c.req.raw), "body field");
      const model = await usableModel(deps.models, account.id, body.modelId);
      await deps.models.setDefaultModel(account.id, model.id);
      return c.json(toModelJson(model, model.id));
    }),
  );
  return app;
}
