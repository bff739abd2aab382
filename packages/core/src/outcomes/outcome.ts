import type { PredictionStatus } from "../predictions/prediction.ts";
import type { RowError, ScoreSummary } from "../scoring/summary-types.ts";

/**
 * What happened to a customer: churned or stayed, as known at `observedAt`. One per account and
 * customer: a later observation replaces an earlier one (an upload may correct the last).
 */
export interface Outcome {
  customerId: string;
  churned: boolean;
  observedAt: Date;
}

/** The answer to an outcome upload. */
export interface OutcomeUploadSummary {
  /** Data rows read (header excluded). */
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Customers of this upload scored by an earlier prediction of the account (made before the outcome was observed). */
  rowsMatched: number;
  /** The first rejected rows (1-based data rows) and why. */
  rowErrors: RowError[];
}

/** A customer's score in one prediction, as its scores file has it. */
export interface ScoredCustomer {
  customerId: string;
  probability: number;
  /** The challenger model's probability, when the prediction had one (champion / challenger). */
  challengerProbability?: number | null;
}

/** A scored customer whose outcome is known. */
export interface LabeledScore {
  predictionId: string;
  probability: number;
  /** Null unless the prediction had a challenger that scored this row. */
  challengerProbability: number | null;
  churned: boolean;
}

/** What trends and model performance read of a prediction. */
export interface PredictionDigest {
  id: string;
  status: PredictionStatus;
  createdAt: Date;
  /** Null: scored before models existed, with the built-in one. */
  modelId: string | null;
  metrics: Pick<ScoreSummary, "rowsScored" | "meanProbability" | "riskCounts"> | null;
  inputFilename: string;
  /** Its drift report in brief (labels of the flagged columns, the largest PSI); null when not measured. */
  drift: DriftDigest | null;
}

export interface DriftDigest {
  rows: number;
  maxPsi: number;
  flaggedColumns: string[];
}

/**
 * Persistence of outcomes and of the per-customer scores they are joined with (Postgres). Every
 * read is scoped to one account: an outcome joins only predictions of the account that uploaded it.
 */
export interface OutcomeRepository {
  /** Upserts one batch; per customer the latest `observedAt` wins (ties: this upload). Customers are unique within a batch. */
  upsert(accountId: string, uploadId: string, outcomes: readonly Outcome[]): Promise<void>;
  /** Customers last set by `uploadId` that an earlier prediction of the account scored. */
  countMatched(accountId: string, uploadId: string): Promise<number>;
  /** The account's score copies (`index-scores` jobs) running, or queued and not yet tried (a retry waiting out its backoff is not pending), of these predictions (`ids`) or of all its predictions. */
  pendingScoreCopies(accountId: string, ids?: readonly string[]): Promise<number>;
  /** Copies `batches` as the prediction's indexed scores, once: a prediction already indexed keeps its set (a customer listed twice keeps its first score). Returns the rows in the set. */
  indexScores(predictionId: string, batches: AsyncIterable<ScoredCustomer[]>): Promise<number>;
  /** Scores of these predictions (of the account) whose customers have an outcome observed after the prediction was made. */
  labeledScores(accountId: string, predictionIds: readonly string[]): Promise<LabeledScore[]>;
  /** The account's predictions, oldest first, created in [from, to) and/or scored with `modelId` (the built-in one also matches predictions without a model). */
  predictionDigests(
    accountId: string,
    filter: { from?: Date; to?: Date; modelId?: string; builtinModelId?: string },
  ): Promise<PredictionDigest[]>;
  /** Customer id -> churned, for the prediction's customers whose outcome was observed after it. */
  labelsFor(accountId: string, predictionId: string): Promise<Map<string, boolean>>;
  /** How many customers have an outcome, and how many of them churned. */
  counts(accountId: string): Promise<{ customers: number; churned: number; lastObservedAt: Date | null }>;
}
