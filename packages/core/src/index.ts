export * from "./errors.ts";
export * from "./log.ts";
export * from "./ports/index.ts";
export * from "./jobs/index.ts";
export * from "./model/card.ts";
export * from "./scoring/risk.ts";
export type * from "./scoring/summary-types.ts";
export * from "./training/index.ts";
