export * from "./prediction.ts";
export { errorReportKeyFor, processPrediction, outputKeyFor, retryDelaySeconds } from "./process-prediction.ts";
export type { ProcessDeps, ProcessOptions, ProcessOutcome } from "./process-prediction.ts";
