export { scoreCsv, OUTPUT_COLUMNS, DEFAULT_MAX_BAD_ROW_SHARE } from "./pipeline.ts";
export { PARALLEL_MIN_BYTES } from "./parallel.ts";
export { isScoringThread, serveScoringThread } from "./scoring-thread.ts";
export type { ScoreCsvOptions, ScoreProgress } from "./pipeline.ts";
export { explainRow, REASONS_PER_SIDE } from "./reasons.ts";
export { riskLevel, RISK_LEVELS, type RiskLevel } from "./risk.ts";
export { HISTOGRAM_BINS, TOP_RISKS_KEPT } from "./summary.ts";
export type * from "./summary-types.ts";
