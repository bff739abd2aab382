import { PassThrough } from "node:stream";
import type { Logger } from "../log.ts";
import type { JobQueue, ReceivedMessage } from "../ports/job-queue.ts";
import type { ModelSource } from "../ports/model-source.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { scoreCsv } from "../scoring/score-csv.ts";
import { handleJobMessage } from "./dispatch.ts";
import type { Claim, Prediction, PredictionRepository, Progress } from "./prediction.ts";
import type { JobContext, JobWork, ProcessOutcome, RunJobOptions } from "./run-job.ts";

export interface ScoreDeps {
  predictions: PredictionRepository;
  store: ObjectStore;
  models: ModelSource;
}

export interface ScoreOptions {
  maxBadRowShare: number;
  /** Threads for one large job, and the program file they start from (see `scoreCsv`). */
  threads?: number;
  workerEntry?: string;
}

export interface ProcessDeps extends ScoreDeps {
  queue: JobQueue;
  logger: Logger;
}

export type ProcessOptions = ScoreOptions & RunJobOptions;

/** Where a prediction's result goes; one object per attempt, so a stale attempt never overwrites a newer one. */
export function outputKeyFor(predictionId: string, attempt: number): string {
  return `results/${predictionId}/attempt-${attempt}.csv`;
}

/** The scoring job: the uploaded CSV -> the model the prediction names -> the scored CSV in the store -> COMPLETED. */
export function scoreWork(deps: ScoreDeps, options: ScoreOptions): JobWork<Prediction, Progress> {
  return {
    rows: deps.predictions,
    initialProgress: { rowsProcessed: 0, rowsFailed: 0, bytesRead: 0 },
    run: (claim, context) => scorePrediction(claim, context, deps, options),
  };
}

/** Handles one received message with scoring as the only task (a worker that trains too uses `handleJobMessage`). */
export function processPrediction(message: ReceivedMessage, deps: ProcessDeps, options: ProcessOptions): Promise<ProcessOutcome> {
  return handleJobMessage(message, { score: scoreWork(deps, options) }, deps, options);
}

async function scorePrediction({ job: prediction, attempt }: Claim, context: JobContext<Progress>, deps: ScoreDeps, options: ScoreOptions): Promise<boolean> {
  const outputKey = outputKeyFor(prediction.id, attempt);
  const lease = await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.modelId });
  try {
    const input = await deps.store.get(prediction.inputKey, { signal: context.signal });
    const output = new PassThrough();
    const upload = deps.store.put(outputKey, output, { contentType: "text/csv" });
    upload.catch(() => {}); // awaited below; a scoring error destroys `output` and this rejects too
    const summary = await scoreCsv({
      input,
      output,
      model: lease.model,
      totalBytes: prediction.inputBytes,
      maxBadRowShare: options.maxBadRowShare,
      threads: options.threads,
      workerEntry: options.workerEntry,
      signal: context.signal,
      onProgress: (p) => context.progress({ rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, bytesRead: p.bytesRead }),
    }).catch((error: unknown) => {
      // The store may not be listening to `output` yet (put() can still be awaiting a directory or a
      // connection): without a listener, destroying it with the error would be an uncaught exception.
      // The error itself is handled below; the store sees its body fail and gives up.
      output.on("error", () => {});
      output.destroy(error as Error);
      input.destroy();
      throw error;
    });
    await upload;
    const completed = await deps.predictions.complete(prediction.id, attempt, {
      outputKey,
      rowsProcessed: summary.rowsScored + summary.rowsFailed,
      rowsFailed: summary.rowsFailed,
      metrics: summary,
      modelVersion: lease.model.version,
    });
    if (!completed) await deps.store.delete(outputKey).catch(() => {});
    else context.log.info("prediction scored", { attempt, rows: summary.rowsScored, rowsFailed: summary.rowsFailed });
    return completed;
  } catch (error) {
    await deps.store.delete(outputKey).catch(() => {});
    throw error;
  } finally {
    lease.release();
  }
}
