export * from "./object-store.ts";
export * from "./job-queue.ts";
export * from "./model-source.ts";
export * from "./task-protection.ts";
export * from "./idempotency.ts";
