export * from "./connect.ts";
export * from "./errors.ts";
export * from "./migrate.ts";
export * from "./predictions.ts";
export * from "./accounts.ts";
export * from "./job-queue.ts";
export * from "./api-keys.ts";
