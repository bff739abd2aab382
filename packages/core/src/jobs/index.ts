export * from "./prediction.ts";
export { processPrediction, outputKeyFor, retryDelaySeconds } from "./process-prediction.ts";
export type { ProcessDeps, ProcessOptions, ProcessOutcome } from "./process-prediction.ts";
