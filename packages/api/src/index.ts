export { createApp } from "./app.ts";
export { STATUS_OF_KIND } from "./errors.ts";
export { serveApi, type RunningServer } from "./serve.ts";
export type { ApiDeps, ApiEnv } from "./env.ts";
export { openApiDocument } from "./openapi/document.ts";
