import { Hono } from "hono";
import { DEFAULT_MAX_COLUMNS } from "@retainwise/core/csv";
import type { ApiDeps, ApiEnv } from "../env.ts";
import { documented } from "../openapi/route-docs.ts";
import { LimitsSchema } from "../schemas.ts";
import { CSV_CONTENT_TYPES } from "../upload.ts";
import { json } from "./common-docs.ts";

const LIMITS = {
  summary: "Upload limits, for client-side checks",
  public: true,
  responses: { 200: json("Limits", LimitsSchema) },
};

/** What an upload may be: the content types `POST /v1/predictions` takes. */
export const ACCEPTED_TYPES = [...CSV_CONTENT_TYPES, "multipart/form-data"];

/** `GET /v1/limits` (public): upload limits, for client-side checks before a file is sent. */
export function limitRoutes(deps: Pick<ApiDeps, "maxUploadBytes" | "maxTrainingBytes" | "maxColumns">): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get(
    "/",
    documented(LIMITS, (c) =>
      c.json({
        maxUploadBytes: deps.maxUploadBytes,
        maxTrainingBytes: deps.maxTrainingBytes,
        maxColumns: deps.maxColumns ?? DEFAULT_MAX_COLUMNS,
        acceptedTypes: ACCEPTED_TYPES,
        acceptedExtensions: [".csv", ".txt"],
      }),
    ),
  );
  return app;
}
