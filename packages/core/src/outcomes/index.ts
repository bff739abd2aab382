export * from "./outcome.ts";
export {
  readOutcomes,
  OUTCOME_BATCH_ROWS,
  OUTCOME_ERRORS_KEPT,
  type OutcomeMatch,
  type ReadOutcomesResult,
} from "./read-outcomes.ts";
export {
  acceptedOutcomeColumns,
  outcomeVocabulary,
  type AcceptedOutcomeColumns,
  type OutcomeVocabulary,
} from "./outcome-columns.ts";
export {
  indexScoresJob,
  readScoresFile,
  waitForScoreCopies,
  SCORE_COPY_WAIT_MS,
  type IndexScoresDeps,
  type ScoreIndexing,
  type ScoreIndexProgress,
  type ScoreIndexRepository,
} from "./score-index.ts";
export { aucInterval, compareAucs, delongAuc, type AucEstimate } from "./delong.ts";
export * from "./performance.ts";
export { buildTrends, TREND_BUCKETS, type TrendBucket, type TrendPoint } from "./trends.ts";
export {
  createBinCounter,
  driftCounterFor,
  driftReport,
  populationStabilityIndex,
  PSI_FLAG,
  type BinCounter,
  type BinCounts,
  type ColumnDrift,
  type DriftReport,
} from "./drift.ts";
export { assertEnoughToTrain, labeledTrainingRows, OUTCOME_LABEL } from "./training-from-outcomes.ts";
export { compareChallenger, pairedRows, type ChallengerComparison, type PairedRow } from "./challenger.ts";
