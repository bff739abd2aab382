export { fitTermModel, DEFAULT_FIT_SETTINGS } from "./fit.ts";
export type { FitOptions, FitProgress, FitResult, FitSettings } from "./fit.ts";
export { isBagThread, serveBagThread, BAG_THREAD } from "./bag-thread.ts";
export { tableCodes } from "./codes.ts";
