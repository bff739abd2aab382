import type { Hono } from "hono";
import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig } from "@valibot/to-json-schema";
import type { GenericSchema } from "valibot";
import { isErrorCode, kindOf, type ErrorCode } from "@retainwise/core/errors";
import { STATUS_OF_KIND } from "../errors.ts";
import {
  DefaultModelSchema,
  DownloadSchema,
  ErrorSchema,
  IdParamSchema,
  LimitsSchema,
  ModelListSchema,
  ModelSchema,
  PredictionListSchema,
  PredictionSchema,
} from "../schemas.ts";
import {
  docOf,
  isOutsideTheApi,
  middlewareDocOf,
  type BodyDoc,
  type MiddlewareDoc,
  type RouteDoc,
} from "./route-docs.ts";

/** Schemas the document names (`#/components/schemas/<name>`) wherever a route's body is one of them. */
const NAMED_SCHEMAS = {
  Prediction: PredictionSchema,
  PredictionList: PredictionListSchema,
  Model: ModelSchema,
  ModelList: ModelListSchema,
  Download: DownloadSchema,
  Limits: LimitsSchema,
  DefaultModel: DefaultModelSchema,
  Error: ErrorSchema,
};

const CONVERSION: ConversionConfig = {
  errorMode: "ignore",
  // Query values arrive as text and are transformed (`limit` to a number): documented as what they must be.
  typeMode: "ignore",
  definitions: NAMED_SCHEMAS,
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};

type Json = Record<string, unknown>;

/** One route of the app as the document describes it: its doc and the docs of the middleware it runs through. */
export interface ApiRoute {
  method: string;
  /** Hono's form, `/v1/predictions/:id`. */
  path: string;
  doc: RouteDoc;
  middleware: MiddlewareDoc[];
}

/**
 * The app's routes, walked from Hono's own list (`app.routes`): each method + path once, with the
 * doc attached to one of its handlers and the middleware docs of the chain it runs through.
 * Routes marked outside the API (the web UI) are left out; `undocumented` lists any other route
 * without a doc (the document's test requires none).
 */
export function apiRoutes(app: Hono<any>): { routes: ApiRoute[]; undocumented: string[] } {
  const chains = new Map<string, { method: string; path: string; handlers: object[] }>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const id = `${route.method} ${route.path}`;
    const chain = chains.get(id) ?? { method: route.method, path: route.path, handlers: [] };
    chain.handlers.push(route.handler);
    chains.set(id, chain);
  }
  const routes: ApiRoute[] = [];
  const undocumented: string[] = [];
  for (const [id, { method, path, handlers }] of chains) {
    if (handlers.some(isOutsideTheApi)) continue;
    const doc = handlers.map(docOf).find((d) => d !== undefined);
    if (!doc) {
      undocumented.push(id);
      continue;
    }
    const appWide = app.routes.filter((r) => r.method === "ALL" && covers(r.path, path)).map((r) => r.handler);
    const middleware = [...appWide, ...handlers]
      .map(middlewareDocOf)
      .filter((d): d is MiddlewareDoc => d !== undefined && !d.skips?.(path));
    routes.push({ method, path, doc, middleware });
  }
  return { routes, undocumented };
}

/** `/v1/*` covers `/v1/predictions`; `*` everything; any other pattern only itself. */
function covers(pattern: string, path: string): boolean {
  if (pattern === "*" || pattern === "/*") return true;
  return pattern.endsWith("/*") ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}

/** `/v1/predictions/:id/chart.svg` -> `/v1/predictions/{id}/chart.svg` */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, "{$1}");
}

/** The OpenAPI 3.1 document of every route of `app`, generated from the routes' docs and valibot schemas. */
export function openApiDocument(app: Hono<any>): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of apiRoutes(app).routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "RetainWise API",
      version: "1",
      description:
        "Churn prediction as a service: upload a customer CSV, get churn probabilities, risk levels and reasons. Every error is `{error: {code, kind, message, details?, requestId}}`; " +
        "its kind decides the status, the same on every route. Each operation lists the codes it answers under their status; any operation may also answer 500 `internal` (our fault, logged with the request id).",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API key from 'retainwise keys create'" },
      },
      schemas: toJsonSchemaDefs(NAMED_SCHEMAS, {
        errorMode: "ignore",
        typeMode: "ignore",
        overrideRef: CONVERSION.overrideRef,
      }),
    },
    paths,
  };
}

function operation({ method, path, doc, middleware }: ApiRoute): Json {
  const parameters = [
    ...pathParameters(path),
    ...parametersOf(doc.query, "query"),
    ...[doc.headers, ...middleware.map((m) => m.headers)].flatMap((headers) => parametersOf(headers, "header")),
  ];
  const secured = !doc.public && middleware.some((m) => m.security);
  const codes = [...(doc.errors ?? []), ...middleware.flatMap((m) => m.errors ?? []), ...parameterCodes(doc)];
  return {
    operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+/g, "_").replace(/_$/, "")}`,
    tags: [tagOf(path)],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.deprecated ? { deprecated: true } : {}),
    security: secured ? [{ bearer: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: content(doc.body) } } : {}),
    responses: { ...successes(doc), ...failures(codes) },
  };
}

/** The group a route is listed under: its resource (`predictions`), or `service` for health and docs. */
export function tagOf(path: string): string {
  return /^\/v1\/([a-z-]+)/.exec(path)?.[1] ?? "service";
}

function pathParameters(path: string): Json[] {
  const id = (toJsonSchema(IdParamSchema, CONVERSION) as { properties: Record<string, Json> }).properties.id;
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: name === "id" ? { ...id, format: "uuid" } : { type: "string" },
  }));
}

function parametersOf(schema: RouteDoc["query"], where: "query" | "header"): Json[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, CONVERSION) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) => ({
    name,
    in: where,
    ...(json.required?.includes(name) ? { required: true } : {}),
    ...(description ? { description } : {}),
    schema: property,
  }));
}

/**
 * What `parseOr400` answers for each key of the route's query and JSON body: `request.invalid_<key>`.
 * Keys without such a code are never refused (`?chart=` falls back to its default, `?filename=` is any text).
 */
function parameterCodes(doc: RouteDoc): ErrorCode[] {
  const body =
    doc.body && "json" in doc.body && "entries" in doc.body.json
      ? [...Object.keys(doc.body.json.entries as object), "body"]
      : [];
  return [...Object.keys(doc.query?.entries ?? {}), ...body].map((key) => `request.invalid_${key}`).filter(isErrorCode);
}

function content(body: BodyDoc): Json {
  if ("json" in body) return { "application/json": { schema: toJsonSchema(body.json as GenericSchema, CONVERSION) } };
  return Object.fromEntries(body.media.map((media) => [media, { schema: body.schema?.[media] ?? { type: "string" } }]));
}

function successes(doc: RouteDoc): Json {
  return Object.fromEntries(
    Object.entries(doc.responses).map(([status, success]) => [
      status,
      {
        description: success.description,
        ...(success.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(success.headers).map(([name, description]) => [
                  name,
                  { description, schema: { type: "string" } },
                ]),
              ),
            }
          : {}),
        ...(success.body ? { content: content(success.body) } : {}),
      },
    ]),
  );
}

/** The route's error codes under their statuses (each code's kind decides it): `409: prediction.not_ready, idempotency.in_progress`. */
function failures(codes: readonly ErrorCode[]): Json {
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of codes) {
    const status = STATUS_OF_KIND[kindOf(code)];
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, set]) => [
        status,
        {
          description: [...set].map((code) => `\`${code}\``).join(", "),
          "x-error-codes": [...set],
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      ]),
  );
}
