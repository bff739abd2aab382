import { Hono } from "hono";
import type { ApiEnv } from "../env.ts";
import { renderDocsPage } from "../openapi/docs-page.ts";
import { openApiDocument } from "../openapi/document.ts";
import { documented, type RouteDoc } from "../openapi/route-docs.ts";

const OPENAPI_JSON: RouteDoc = {
  summary: "This document: OpenAPI 3.1, generated from the routes and their valibot schemas",
  public: true,
  responses: { 200: { description: "The OpenAPI document" } },
};
const DOCS_PAGE: RouteDoc = {
  summary: "The same as a page to read",
  public: true,
  responses: { 200: { description: "HTML", body: { media: ["text/html"], description: "The page" } } },
};

/**
 * `/openapi.json` and `/docs`, generated from `app`'s own routes the first time they are asked for
 * (the app is complete by then: this router is part of it).
 */
export function docsRoutes(app: () => Hono<any>): Hono<ApiEnv> {
  let built: { document: Record<string, unknown>; page: string } | undefined;
  const docs = () => {
    if (built) return built;
    const document = openApiDocument(app());
    built = { document, page: renderDocsPage(document) };
    return built;
  };
  const routes = new Hono<ApiEnv>();
  routes.get(
    "/openapi.json",
    documented(OPENAPI_JSON, (c) => c.json(docs().document)),
  );
  routes.get(
    "/docs",
    documented(DOCS_PAGE, (c) => c.html(docs().page)),
  );
  return routes;
}
