import { PassThrough } from "node:stream";
import * as v from "valibot";
import { isRetainwiseError, RetainwiseError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ChurnModel } from "../model/churn-model.ts";
import { JobMessageSchema, MAX_RECEIVES, type JobQueue, type ReceivedMessage } from "../ports/job-queue.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { scoreCsv, type ScoreProgress } from "../scoring/score-csv.ts";
import type { ScoreSummary } from "../scoring/summary-types.ts";
import type { Claim, Prediction, PredictionRepository, Progress } from "./prediction.ts";

export interface ProcessDeps {
  predictions: PredictionRepository;
  store: ObjectStore;
  queue: JobQueue;
  model: ChurnModel;
  logger: Logger;
}

export interface ProcessOptions {
  visibilitySeconds: number;
  /** How often progress reaches the row and the message's visibility is extended. */
  heartbeatSeconds: number;
  staleAfterSeconds: number;
  maxBadRowShare: number;
  /** Threads for one large job, and the program file they start from (see `scoreCsv`). */
  threads?: number;
  workerEntry?: string;
  /** Aborted on shutdown: the job is released for another worker, not failed. */
  shutdown: AbortSignal;
}

export type ProcessOutcome = "completed" | "failed" | "retry" | "released" | "canceled" | "skipped" | "poison";

/** Where a prediction's result goes; one object per attempt, so a stale attempt never overwrites a newer one. */
export function outputKeyFor(predictionId: string, attempt: number): string {
  return `results/${predictionId}/attempt-${attempt}.csv`;
}

/** Where an attempt's error report goes (scoring/error-report.ts); kept when the job fails on too many bad rows. */
export function errorReportKeyFor(predictionId: string, attempt: number): string {
  return `results/${predictionId}/attempt-${attempt}.errors.csv`;
}

/**
 * Handles one received job message. The guarantee, as in graphile-worker's `doNext`: every job
 * this function claims ends COMPLETED, FAILED or released back to QUEUED — on every path,
 * including errors thrown by the store or database — and the message is deleted exactly when the
 * job is terminal. What is left behind on a crash (SIGKILL) is a RUNNING row whose heartbeat goes
 * stale plus an undeleted message: redelivery claims it again (see `PredictionRepository.claim`).
 *
 * Failure policy:
 * - permanent errors (bad CSV, missing columns): FAILED at once with the customer-readable message;
 * - transient errors (store, database, network): released and retried by redelivery after a
 *   backoff; on the MAX_RECEIVES-th receive the job is FAILED with a reason and the message is left
 *   to the queue's dead-lettering;
 * - a poison message (not a job message at all) is logged and left to dead-letter.
 */
export async function processPrediction(message: ReceivedMessage, deps: ProcessDeps, options: ProcessOptions): Promise<ProcessOutcome> {
  const body = parseBody(message.body);
  if (!body) {
    deps.logger.warn("poison message left to dead-letter", { messageId: message.messageId, receiveCount: message.receiveCount });
    return "poison";
  }
  const log = deps.logger.child({ jobId: body.predictionId, messageId: message.messageId, receiveCount: message.receiveCount });
  const claim = await deps.predictions.claim(body.predictionId, { staleAfterSeconds: options.staleAfterSeconds });
  if (!claim) return skipUnclaimable(body.predictionId, message, deps, log);

  log.info("job claimed", { attempt: claim.attempt });
  try {
    return await runClaimed(claim, message, deps, options, log);
  } catch (error) {
    return settleFailure(error, claim, message, deps, options, log);
  }
}

function parseBody(text: string): v.InferOutput<typeof JobMessageSchema> | undefined {
  try {
    const parsed = v.safeParse(JobMessageSchema, JSON.parse(text));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** A duplicate or redelivered message: delete it if the job is over, else leave it to whoever holds the job. */
async function skipUnclaimable(id: string, message: ReceivedMessage, deps: ProcessDeps, log: Logger): Promise<ProcessOutcome> {
  const row = await deps.predictions.getById(id);
  if (!row || row.status === "COMPLETED" || row.status === "FAILED" || row.status === "CANCELED") {
    await deps.queue.delete(message.receipt);
    log.info("message for a finished or deleted job dropped", { status: row?.status ?? "missing" });
  } else {
    log.info("job held by another worker; message left", { status: row.status });
  }
  return "skipped";
}

async function runClaimed(claim: Claim, message: ReceivedMessage, deps: ProcessDeps, options: ProcessOptions, log: Logger): Promise<ProcessOutcome> {
  const { prediction, attempt } = claim;
  const stop = new AbortController();
  const onShutdown = () => stop.abort(new RetainwiseError("job.released", "The worker is shutting down.", { permanent: false }));
  options.shutdown.addEventListener("abort", onShutdown, { once: true });
  const heartbeat = startHeartbeat(claim, message, deps, options, stop, log);
  const outputKey = outputKeyFor(prediction.id, attempt);
  const errorsKey = errorReportKeyFor(prediction.id, attempt);
  try {
    const summary = await scoreIntoStore(prediction, { outputKey, errorsKey }, deps, options, stop.signal, heartbeat.record);
    heartbeat.stop();
    const completed = await deps.predictions.complete(prediction.id, attempt, {
      outputKey,
      rowsProcessed: summary.rowsScored + summary.rowsFailed,
      rowsFailed: summary.rowsFailed,
      metrics: summary,
      modelVersion: deps.model.version,
    });
    await deps.queue.delete(message.receipt);
    if (!completed) return discard(outputKey, deps, log, "job canceled or taken over before completion");
    log.info("job completed", { attempt, rows: summary.rowsScored, rowsFailed: summary.rowsFailed });
    return "completed";
  } catch (error) {
    await deps.store.delete(outputKey).catch(() => {});
    // A job failed on too many bad rows keeps its error report: it is how the customer fixes the file.
    if (!(isRetainwiseError(error) && error.code === TOO_MANY_BAD_ROWS) || heartbeat.lost()) await deps.store.delete(errorsKey).catch(() => {});
    if (heartbeat.lost()) {
      await deps.queue.delete(message.receipt);
      log.info("job canceled while running; work discarded", { attempt });
      return "canceled";
    }
    throw error;
  } finally {
    heartbeat.stop();
    options.shutdown.removeEventListener("abort", onShutdown);
  }
}

/**
 * Streams the input through the model into two objects side by side, the scored file and the error
 * report. Any side failing ends the others: a store that fails before it reads its body (a directory
 * it cannot write, a dropped connection) destroys that body, so scoring stops at its next write
 * instead of waiting for a `drain` that never comes, and a scoring error destroys both bodies.
 */
async function scoreIntoStore(prediction: Prediction, keys: { outputKey: string; errorsKey: string }, deps: ProcessDeps, options: ProcessOptions, signal: AbortSignal, onProgress: (p: ScoreProgress) => void): Promise<ScoreSummary> {
  const input = await deps.store.get(prediction.inputKey, { signal });
  const output = new PassThrough();
  const errors = new PassThrough();
  // The store may not be listening to a body yet (put() can still be awaiting a directory or a
  // connection): without a listener, destroying it with an error would be an uncaught exception.
  for (const body of [output, errors]) body.on("error", () => {});
  const uploads = [deps.store.put(keys.outputKey, output, { contentType: "text/csv" }), deps.store.put(keys.errorsKey, errors, { contentType: "text/csv" })];
  const stopAll = (error: Error) => {
    for (const body of [output, errors]) if (!body.writableFinished) body.destroy(error);
    input.destroy();
  };
  uploads.forEach((upload) => upload.catch(stopAll));
  try {
    const summary = await scoreCsv({
      input,
      output,
      errors,
      model: deps.model,
      totalBytes: prediction.inputBytes,
      maxBadRowShare: options.maxBadRowShare,
      threads: options.threads,
      workerEntry: options.workerEntry,
      signal,
      onProgress,
    });
    await Promise.all(uploads);
    return summary;
  } catch (error) {
    // An ended error report (too many bad rows) is left to finish; everything else stops.
    if (!errors.writableEnded) errors.destroy(error as Error);
    output.destroy(error as Error);
    input.destroy();
    const settled = await Promise.allSettled(uploads);
    // A store failure is the cause when scoring only saw its body close.
    const storeFailure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected" && s.reason !== error);
    throw isRetainwiseError(error) && error.code === "output.closed" && storeFailure ? storeFailure.reason : error;
  }
}

const TOO_MANY_BAD_ROWS = "csv.too_many_bad_rows";

async function discard(outputKey: string, deps: ProcessDeps, log: Logger, why: string): Promise<ProcessOutcome> {
  await deps.store.delete(outputKey).catch(() => {});
  log.info(why);
  return "canceled";
}

async function settleFailure(error: unknown, claim: Claim, message: ReceivedMessage, deps: ProcessDeps, options: ProcessOptions, log: Logger): Promise<ProcessOutcome> {
  const { prediction, attempt } = claim;
  if (options.shutdown.aborted) {
    await deps.predictions.release(prediction.id, attempt);
    await deps.queue.release(message.receipt);
    log.info("job released on shutdown", { attempt });
    return "released";
  }
  if (isRetainwiseError(error) && error.permanent) {
    await deps.predictions.fail(prediction.id, attempt, { code: error.code, message: error.message });
    await deps.queue.delete(message.receipt);
    log.info("job failed", { attempt, error });
    return "failed";
  }
  if (message.receiveCount >= MAX_RECEIVES) {
    await deps.predictions.fail(prediction.id, attempt, {
      code: "job.attempts_exhausted",
      message: `We could not process this file after ${MAX_RECEIVES} attempts because of a temporary problem on our side (${describe(error)}). Please upload it again; if it keeps failing, contact support.`,
    });
    log.error("job failed after its last attempt; message left to dead-letter", { attempt, error });
    return "failed";
  }
  await deps.predictions.release(prediction.id, attempt);
  await deps.queue.extend(message.receipt, retryDelaySeconds(message.receiveCount));
  log.warn("job will be retried", { attempt, error, retryInSeconds: retryDelaySeconds(message.receiveCount) });
  return "retry";
}

/** 5 s, 20 s, 80 s…: the message stays invisible this long before its next delivery. */
export function retryDelaySeconds(receiveCount: number): number {
  return 5 * 4 ** Math.max(0, receiveCount - 1);
}

function describe(error: unknown): string {
  return isRetainwiseError(error) ? error.code : error instanceof Error ? error.name : "unknown error";
}

interface Heartbeat {
  record(progress: ScoreProgress): void;
  stop(): void;
  /** True once the row said the job is no longer ours (canceled, or claimed by a newer attempt). */
  lost(): boolean;
}

/** Writes progress to the row and extends the message's visibility every `heartbeatSeconds`. */
function startHeartbeat(claim: Claim, message: ReceivedMessage, deps: ProcessDeps, options: ProcessOptions, stop: AbortController, log: Logger): Heartbeat {
  let progress: Progress = { rowsProcessed: 0, rowsFailed: 0, bytesRead: 0 };
  let lost = false;
  let busy = false;
  const beat = async () => {
    if (busy) return;
    busy = true;
    try {
      const ours = await deps.predictions.heartbeat(claim.prediction.id, claim.attempt, progress);
      if (!ours) {
        lost = true;
        stop.abort(new RetainwiseError("job.lost", "The job was canceled or taken over.", { permanent: true }));
        return;
      }
      await deps.queue.extend(message.receipt, options.visibilitySeconds);
    } catch (error) {
      log.warn("heartbeat failed; will retry at the next beat", { error });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void beat(), options.heartbeatSeconds * 1000);
  return {
    record: (p) => {
      progress = { rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, bytesRead: p.bytesRead };
    },
    stop: () => clearInterval(timer),
    lost: () => lost,
  };
}
