import type { DriftReport } from "../outcomes/drift.ts";
import type { ScoreSummary } from "../scoring/summary-types.ts";
import type { JobClaim, JobRow, JobRows } from "../jobs/job-rows.ts";

/**
 * A prediction is one uploaded CSV scored once. Its life:
 *
 *   QUEUED --claim--> RUNNING --complete--> COMPLETED
 *      |                 |  \--fail-------> FAILED      (permanent error, or attempts exhausted)
 *      |                 |  \--split------> SHARDED --last shard settled--> QUEUED (to merge its shards' parts)
 *      |                 \--release------> QUEUED       (shutdown: another worker takes it)
 *      \---------------------cancel------> CANCELED     (customer DELETE; a running worker notices at its next heartbeat)
 *
 * Every write after the claim names the attempt that claimed it, so a worker that lost its claim
 * (it stalled, the message was redelivered, another worker took over) cannot overwrite the winner.
 */
export const PREDICTION_STATUSES = ["QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELED"] as const;
/**
 * Also SHARDED: a large file split into shards (predictions/shards.ts), waiting for them to settle. Not a
 * status customers see: the API shows it as RUNNING, which it is.
 */
export type PredictionStatus = (typeof PREDICTION_STATUSES)[number] | "SHARDED";
export const TERMINAL_STATUSES: readonly PredictionStatus[] = ["COMPLETED", "FAILED", "CANCELED"];

export interface Prediction extends JobRow {
  accountId: string;
  status: PredictionStatus;
  inputKey: string;
  inputFilename: string;
  inputBytes: number;
  /** `s3_output_key`: set only when COMPLETED. */
  outputKey: string | null;
  rowsTotal: number | null;
  rowsProcessed: number;
  rowsFailed: number;
  /** Bytes of the input read so far: progress when the row total is not known yet. */
  bytesRead: number;
  metrics: ScoreSummary | null;
  modelVersion: string | null;
  /** The model it is scored with; null on predictions made before models existed (the built-in one). */
  modelId: string | null;
  /** A second model scoring every row beside `modelId` (`challenger_probability`); null: none. */
  challengerModelId: string | null;
  /** The column customer_id is taken from (`?idColumn=`); null: the scorer's default (scoring/id-column.ts). */
  idColumn: string | null;
  /** The input's header row as read at upload (a retry checks its models against it); null on older predictions. */
  inputColumns: string[] | null;
  /** The scored rows' drift from the model's training data, written at completion; null: not measured (no training shares in the card). */
  drift: DriftReport | null;
}

export interface NewPrediction {
  id: string;
  accountId: string;
  inputKey: string;
  inputFilename: string;
  inputBytes: number;
  /** The model to score with (the API resolves the account's default); absent: the built-in one. */
  modelId?: string | null;
  challengerModelId?: string | null;
  idColumn?: string | null;
  inputColumns?: string[] | null;
}

export interface Progress {
  rowsProcessed: number;
  rowsFailed: number;
  bytesRead: number;
}

export interface Completion {
  outputKey: string;
  /** The scores file written beside it (`scoresKeyFor`): the `index-scores` job the completion queues reads it. */
  scoresKey: string;
  /** Every data row read, failed ones included (so it is also the row total). */
  rowsProcessed: number;
  rowsFailed: number;
  metrics: ScoreSummary;
  modelVersion: string | null;
  drift?: DriftReport | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

/** A claim: the prediction as now RUNNING, and which attempt this worker holds. */
export type Claim = JobClaim<Prediction>;

/**
 * Persistence of predictions (Postgres in every mode). Methods that take `attempt` do nothing and
 * resolve `false` unless the row is RUNNING under that attempt.
 */
export interface PredictionRepository extends JobRows<Prediction, Progress> {
  create(input: NewPrediction): Promise<Prediction>;
  get(accountId: string, id: string): Promise<Prediction | null>;
  list(accountId: string, options: { limit: number; cursor?: string | null }): Promise<Page<Prediction>>;
  /**
   * RUNNING under `attempt` -> COMPLETED, and in the same statement queues the prediction's
   * `index-scores` job (unsent: the caller sends its message, the relay if it could not).
   */
  complete(id: string, attempt: number, completion: Completion): Promise<boolean>;
  /** Any non-terminal -> CANCELED, its shards with it. Returns the row as it is afterwards, or null if not this account's. */
  cancel(accountId: string, id: string): Promise<Prediction | null>;
  /** Deletes the row (after its objects were deleted); a worker still on it loses its claim. */
  remove(accountId: string, id: string): Promise<boolean>;
  ping(): Promise<void>;
}

/** Where a prediction's result goes; one object per attempt, so a stale attempt never overwrites a newer one. */
export function outputKeyFor(predictionId: string, attempt: number): string {
  return `results/${predictionId}/attempt-${attempt}.csv`;
}

/** Where an attempt's scores file goes (`ScoreCsvOptions.scores`), read by its `index-scores` job. */
export function scoresKeyFor(predictionId: string, attempt: number): string {
  return `results/${predictionId}/attempt-${attempt}.scores.jsonl`;
}

/** Where an attempt's error report goes (scoring/error-report.ts); kept when the job fails on too many bad rows. */
export function errorReportKeyFor(predictionId: string, attempt: number): string {
  return `results/${predictionId}/attempt-${attempt}.errors.csv`;
}
