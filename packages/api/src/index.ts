export { createApp, ApiError } from "./app.ts";
export { serveApi, type RunningServer } from "./serve.ts";
export type { ApiDeps, ApiEnv } from "./env.ts";
export { openApiDocument } from "./routes/docs.ts";
