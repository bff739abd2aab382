import type { Readable, Writable } from "node:stream";
import { cutIntoRanges } from "../csv/file-ranges.ts";
import { readHead, type Head } from "../csv/reader.ts";
import type { ChurnModel } from "../model/churn-model.ts";
import type { BinCounter } from "../outcomes/drift.ts";
import { parallelPlan, type ParallelPlan } from "./parallel.ts";
import { scoreSequentially } from "./pipeline.ts";
import { rangeShares, scoreInRanges } from "./ranges.ts";
import { withSpool } from "./spool.ts";
import type { ScoreSummary } from "./summary-types.ts";

export interface ScoreCsvOptions {
  input: Readable;
  /**
   * Where `input` is read from, when it is a file on disk: on threads, each then reads its own
   * range of the file (ranges.ts). Without it, a stream scored on threads is first copied to a
   * temporary file (spool.ts).
   */
  inputPath?: string;
  /** Receives the scored CSV; ended when scoring succeeds. */
  output: Writable;
  model: ChurnModel;
  /**
   * Receives the error report, `row,customer_id,error` for every row that cannot be scored; ended
   * once every row is read, also when the file then fails on too many bad rows.
   */
  errors?: Writable;
  /**
   * Receives the scores for machines (outcomes/score-index.ts copies them into the database): one
   * JSON array per scored row, `["<customer_id>",<churn_probability>,<challenger_probability or null>]`,
   * in file order, the id as read (no spreadsheet escaping) and the probabilities as the scored CSV
   * writes them. Ended when scoring succeeds. Failed rows have no line.
   */
  scores?: Writable;
  /**
   * The column whose cells are `customer_id` (`score --id-column`), matched like every header; a
   * file without it fails. By default the model card's identifier column when the file has it,
   * else `customerID` or an alias of it, else the row number (id-column.ts).
   */
  idColumn?: string;
  /**
   * Model inputs (card names) the account can change: each scored row's `retention_action` names
   * the one change to one of them that lowers its churn risk most (retention.ts). A term-tables model only.
   */
  actionable?: readonly string[];
  /** Append every input column after the scores. */
  includeInput?: boolean;
  /** The job fails when more than this share of data rows cannot be scored (default 0.1). */
  maxBadRowShare?: number;
  onProgress?: (progress: ScoreProgress) => void;
  /** Input size when known (object stores know it), so progress can say "42%". */
  totalBytes?: number;
  signal?: AbortSignal;
  /** Rows per `session.run` (default 512). */
  batchSize?: number;
  /**
   * Threads to score a large file on (default 1: this thread). More needs `workerEntry` and a
   * model loaded from a file (`model.source`).
   */
  threads?: number;
  /** The program file a scoring thread starts from; it must call `serveScoringThread()` (scoring-thread.ts). */
  workerEntry?: string | URL;
  /**
   * Champion / challenger: a second model that scores every row too, written as
   * `challenger_probability` after `churn_probability`; `model` still decides risk level and reasons.
   */
  challenger?: ChurnModel;
  /**
   * Counts every scored row's feature codes into the model's bins (drift, outcomes/drift.ts:
   * `driftCounterFor(model.card)`). On threads each thread counts its ranges; their counts are merged into this one.
   */
  drift?: BinCounter;
}

export interface ScoreProgress {
  rowsProcessed: number;
  rowsFailed: number;
  bytesRead: number;
  totalBytes: number | undefined;
}

/**
 * Streams a customer CSV through the model: parse -> column-wise typed batch -> `session.run` ->
 * CSV lines -> `output`. Writes wait for `drain`, so a slow consumer slows the reader and memory
 * stays at about two batches whatever the file size. onnxruntime-node runs `session.run`
 * synchronously on the calling thread, so one thread cannot overlap parsing with inference: with
 * `threads` > 1, a large file is scored in ranges on worker threads (parallel.ts, ranges.ts), a
 * stream once it is copied to a temporary file (spool.ts); otherwise it streams through this
 * thread (pipeline.ts).
 *
 * File-level problems (not CSV, missing columns, too many bad rows) reject with a permanent
 * `RetainwiseError` whose message a customer understands; row-level problems are written to the
 * row's `error` column and counted.
 *
 * @example
 *   const summary = await scoreCsv({ input: createReadStream("in.csv"), output: createWriteStream("out.csv"), model });
 *   console.log(summary.rowsScored, summary.riskCounts.High);
 */
export async function scoreCsv(options: ScoreCsvOptions): Promise<ScoreSummary> {
  const head = await readHead(options.input);
  const plan = parallelPlan(head, options);
  if (!plan) return scoreSequentially(head, options);
  if (options.inputPath !== undefined) return scoreFile(head, plan, options.inputPath, options);
  return withSpool(head, options.input, options.signal, (spooled) =>
    scoreFile(spooled.head, plan, spooled.path, options),
  );
}

/**
 * A file on disk (`head` read from it) on threads, in ranges; on this thread when it cannot be cut
 * (a quote left open for 16 MiB, which one stream reports as one thread does, or a single record).
 */
async function scoreFile(
  head: Head,
  plan: ParallelPlan,
  path: string,
  options: ScoreCsvOptions,
): Promise<ScoreSummary> {
  const ranges = await cutIntoRanges(path, plan.headerEnd, rangeShares(options.threads!), plan.delimiter);
  return ranges && ranges.length > 1 ? scoreInRanges(head, plan, ranges, options) : scoreSequentially(head, options);
}
