export { fitTermModel, DEFAULT_FIT_SETTINGS } from "./fit.ts";
export type { FitOptions, FitProgress, FitResult, FitSettings } from "./fit.ts";
export type { TermImportance } from "./terms.ts";
export type { Recalibration } from "./calibration.ts";
export { tableCodes } from "./codes.ts";
export { isBagThread, serveBagThread, BAG_THREAD } from "./bag-thread.ts";
