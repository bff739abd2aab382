import type { BinCounts } from "../outcomes/drift.ts";
import type { ScoreSummary } from "../scoring/summary-types.ts";
import type { JobRow, JobRows } from "../jobs/job-rows.ts";
import type { PredictionStatus, Progress } from "./prediction.ts";

/**
 * A shard: one byte range of whole records of a large prediction's stored input, scored as a job
 * of its own (`score-shard`) by whichever worker takes its message. Its life:
 *
 *   QUEUED --claim--> RUNNING --complete--> COMPLETED   (its part of the result is written)
 *                        |  \--fail------> FAILED      (permanent error, or attempts exhausted)
 *                        \--release------> QUEUED      (shutdown)
 *   QUEUED/RUNNING --------------------------> CANCELED (the prediction canceled or deleted; a
 *                                                        shard after a FAILED one: it cannot matter)
 *
 * The prediction waits as SHARDED meanwhile. The write that leaves no shard QUEUED or RUNNING also
 * puts the prediction back to QUEUED, unsent (the outbox): its `score` job then merges the parts in
 * shard order, or fails with the first failed shard's error, positions made file-wide. Full design:
 * docs/queue.md, "Shards".
 */
export interface PredictionShard extends JobRow {
  predictionId: string;
  status: PredictionStatus;
  /** Its place in the file: shards are merged in this order. */
  index: number;
  /** Bytes [startByte, endByte) of the input; shard 0 starts after the header record. */
  startByte: number;
  endByte: number;
  rowsProcessed: number;
  rowsFailed: number;
  bytesRead: number;
  /** The model's actionable columns as they were when the file was split: every shard advises alike. */
  actionable: string[];
  /** Set when COMPLETED. */
  result: ShardResult | null;
}

/** What a completed shard wrote and counted; its positions (row, line) are still placeholders (csv/positions.ts). */
export interface ShardResult {
  outputKey: string;
  outputBytes: number;
  errorsKey: string;
  scoresKey: string;
  scoresBytes: number;
  /**
   * The part holds position placeholders (row numbers as customer ids, a line in a reason): the
   * merge then resolves it as it copies it, instead of copying it inside the store.
   */
  outputPlaceholders: boolean;
  scoresPlaceholders: boolean;
  summary: ScoreSummary;
  /** Lines csv-parse counted in the range (as a part counts them: from 1). */
  lines: number;
  drift: BinCounts | null;
}

export interface NewShard {
  index: number;
  startByte: number;
  endByte: number;
}

/** What a write that settles a shard did to its prediction. */
export interface ShardSettled {
  predictionId: string | null;
  /** The write applied (the shard was still this attempt's). */
  settled: boolean;
  /** It was the last shard to settle: the prediction is QUEUED again, its message to be sent. */
  predictionQueued: boolean;
}

/**
 * Persistence of shards (Postgres). `fail` and `failAbandoned` settle a shard like `complete`: the
 * last to settle queues the prediction. A failed shard cancels the shards after it.
 */
export interface ShardRepository extends JobRows<PredictionShard, Progress> {
  /**
   * RUNNING under `attempt` -> SHARDED, and its shards inserted QUEUED (unsent), in one transaction:
   * their ids in file order, or null when the prediction is no longer this attempt's.
   */
  split(
    predictionId: string,
    attempt: number,
    shards: readonly NewShard[],
    actionable: readonly string[],
  ): Promise<string[] | null>;
  /** The prediction's shards in file order. */
  listFor(predictionId: string): Promise<PredictionShard[]>;
  complete(id: string, attempt: number, result: ShardResult): Promise<ShardSettled>;
  /** `fail`, telling whether it queued the prediction. */
  failShard(id: string, attempt: number | null, error: { code: string; message: string }): Promise<ShardSettled>;
}

/** Where attempt `attempt` of shard `index` writes its part of the result: under the prediction's results, so deleting them removes it. */
export function shardKeysFor(
  predictionId: string,
  index: number,
  attempt: number,
): Pick<ShardResult, "outputKey" | "errorsKey" | "scoresKey"> {
  const base = `results/${predictionId}/shards/${index}/attempt-${attempt}`;
  return { outputKey: `${base}.csv`, errorsKey: `${base}.errors.csv`, scoresKey: `${base}.scores.jsonl` };
}
