import type { GenericSchema, ObjectEntries, ObjectSchema } from "valibot";
import type { ErrorCode } from "@retainwise/core/errors";

/** A request or response body: JSON of a valibot schema, or text of a media type. */
export type BodyDoc =
  | { json: GenericSchema; description?: string }
  | { media: readonly string[]; description: string; schema?: Record<string, unknown> };

/** A success answer: its description and body (none for a redirect or an empty answer). */
export interface SuccessDoc {
  description: string;
  body?: BodyDoc;
  headers?: Record<string, string>;
}

/**
 * What the OpenAPI document says of one route, attached to its handler with `documented` so it
 * sits next to the code and travels with it wherever the router is mounted. Parameters come from
 * the valibot schemas the handler validates with; failure statuses from the codes it may answer
 * (each code's kind decides its status, so they cannot disagree with what is answered).
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  /** Validated with `parseOr400(query, …)`: each key is a query parameter, `request.invalid_<key>` when it is wrong. */
  query?: ObjectSchema<ObjectEntries, undefined>;
  headers?: ObjectSchema<ObjectEntries, undefined>;
  body?: BodyDoc;
  /** The keys of a JSON body are validated as `request.invalid_<key>`; an upload's are not parameters. */
  responses: Record<number, SuccessDoc>;
  /** The codes the handler itself may answer (middleware adds its own: `contributes`). */
  errors?: readonly ErrorCode[];
  /** Answered without an API key. */
  public?: boolean;
  deprecated?: boolean;
}

/** What a middleware adds to every route it runs on: its header, its error codes, its security. */
export interface MiddlewareDoc {
  headers?: ObjectSchema<ObjectEntries, undefined>;
  errors?: readonly ErrorCode[];
  /** Routes it runs on but does nothing for (the public paths of the auth check). */
  skips?: (path: string) => boolean;
  /** The route needs an API key. */
  security?: boolean;
}

const routeDocs = new WeakMap<object, RouteDoc>();
const middlewareDocs = new WeakMap<object, MiddlewareDoc>();
const outsideApi = new WeakMap<object, string>();

/** Attaches `doc` to a route handler: `app.get("/:id", documented(GET_PREDICTION, async (c) => …))`. */
export function documented<H extends object>(doc: RouteDoc, handler: H): H {
  routeDocs.set(handler, doc);
  return handler;
}

/** Attaches what a middleware adds to the routes it runs on. */
export function contributes<M extends object>(doc: MiddlewareDoc, middleware: M): M {
  middlewareDocs.set(middleware, doc);
  return middleware;
}

/** Marks a handler as outside the API (web UI pages, signed file links), so the document leaves it out on purpose. */
export function outsideTheApi<H extends object>(reason: string, handler: H): H {
  outsideApi.set(handler, reason);
  return handler;
}

export const docOf = (handler: object): RouteDoc | undefined => routeDocs.get(handler);
export const middlewareDocOf = (handler: object): MiddlewareDoc | undefined => middlewareDocs.get(handler);
export const isOutsideTheApi = (handler: object): boolean => outsideApi.has(handler);
