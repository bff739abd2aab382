import { PassThrough } from "node:stream";
import { isRetainwiseError } from "../errors.ts";
import { driftCounterFor, driftReport } from "../outcomes/drift.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { ModelLease, ModelSource } from "../ports/model-source.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { scoreCsv, type ScoreCsvOptions } from "../scoring/score-csv.ts";
import type { ScoreSummary } from "../scoring/summary-types.ts";
import { isTermTablesCard } from "../model/card.ts";
import type { ChurnModel } from "../model/churn-model.ts";
import { BUILTIN_MODEL_ID, type ModelRepository } from "./model.ts";
import { enqueueJob } from "./submit.ts";
import { errorReportKeyFor, outputKeyFor, scoresKeyFor, TERMINAL_STATUSES, type Claim, type Prediction, type PredictionRepository, type Progress } from "./prediction.ts";
import type { JobRow, JobRows } from "./job-rows.ts";
import type { JobSpec } from "./registry.ts";
import type { JobContext } from "./run-job.ts";

export interface ScoreDeps {
  predictions: PredictionRepository;
  store: ObjectStore;
  /** Where the completion's `index-scores` job is sent, and its row marked sent. */
  queue: JobQueue;
  scoreIndexes: Pick<JobRows<JobRow, unknown>, "markEnqueued">;
  models: ModelSource;
  /** The account's settings of the model (its actionable columns for `retention_action`); absent: none. */
  settings?: Pick<ModelRepository, "settings">;
}

export interface ScoreOptions {
  maxBadRowShare: number;
  /** Threads for one large job, and the program file they start from (see `scoreCsv`). */
  threads?: number;
  workerEntry?: string;
}

/** The scoring job: the uploaded CSV -> the model the prediction names -> the scored CSV in the store -> COMPLETED. */
export function scoreJob(deps: ScoreDeps, options: ScoreOptions): JobSpec<Prediction, Progress> {
  return {
    kind: "score",
    rows: deps.predictions,
    finished: TERMINAL_STATUSES,
    work: {
      initialProgress: { rowsProcessed: 0, rowsFailed: 0, bytesRead: 0 },
      run: (claim, context) => scorePrediction(claim, context, deps, options),
    },
  };
}

async function scorePrediction({ job: prediction, attempt }: Claim, context: JobContext<Progress>, deps: ScoreDeps, options: ScoreOptions): Promise<boolean> {
  const keys = { outputKey: outputKeyFor(prediction.id, attempt), errorsKey: errorReportKeyFor(prediction.id, attempt), scoresKey: scoresKeyFor(prediction.id, attempt) };
  const discard = (...names: (keyof typeof keys)[]) => Promise.all(names.map((name) => deps.store.delete(keys[name]).catch(() => {})));
  const lease = await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.modelId });
  let challenger: ModelLease | undefined;
  try {
    challenger = prediction.challengerModelId ? await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.challengerModelId }) : undefined;
    // Counted while scoring (no second pass), measured against the card's training shares at the end.
    const drift = driftCounterFor(lease.model.card);
    const actionable = await actionableOf(prediction, lease.model, deps);
    const summary = await scoreIntoStore(prediction, { model: lease.model, challenger: challenger?.model, drift, ...(actionable.length > 0 ? { actionable } : {}) }, keys, deps, options, context);
    const completed = await deps.predictions.complete(prediction.id, attempt, {
      outputKey: keys.outputKey,
      scoresKey: keys.scoresKey,
      rowsProcessed: summary.rowsScored + summary.rowsFailed,
      rowsFailed: summary.rowsFailed,
      metrics: summary,
      modelVersion: lease.model.version,
      drift: drift ? driftReport(lease.model.card, drift.state()) : null,
    });
    if (!completed) {
      await discard("outputKey", "errorsKey", "scoresKey");
      return false;
    }
    context.log.info("prediction scored", { attempt, rows: summary.rowsScored, rowsFailed: summary.rowsFailed });
    // The completion queued the prediction's copy for outcomes; it is COMPLETED whatever the send does.
    await enqueueJob("index-scores", prediction.id, { queue: deps.queue, rows: deps.scoreIndexes, logger: context.log });
    return true;
  } catch (error) {
    // A job failed on too many bad rows keeps its error report: it is how the customer fixes the file.
    const keepReport = isRetainwiseError(error) && error.code === TOO_MANY_BAD_ROWS && !context.signal.aborted;
    await (keepReport ? discard("outputKey", "scoresKey") : discard("outputKey", "errorsKey", "scoresKey"));
    throw error;
  } finally {
    lease.release();
    challenger?.release();
  }
}

/** What a prediction is scored with: its model, the challenger beside it, and the drift counter of the model's bins. */
type Scorers = Pick<ScoreCsvOptions, "model" | "challenger" | "drift" | "actionable">;

/**
 * The columns the account marked actionable on the model, read when the job starts (a change of
 * settings applies to the files scored after it). Names the card no longer has (a new built-in
 * model) are left out rather than failing the file.
 */
async function actionableOf(prediction: Prediction, model: ChurnModel, deps: ScoreDeps): Promise<string[]> {
  if (!deps.settings || !isTermTablesCard(model.card)) return [];
  const { actionable } = await deps.settings.settings(prediction.accountId, prediction.modelId ?? BUILTIN_MODEL_ID);
  const inputs = new Set(model.card.inputs.map((i) => i.name));
  return actionable.filter((name) => inputs.has(name));
}

const TOO_MANY_BAD_ROWS = "csv.too_many_bad_rows";

/**
 * Streams the input through the model into three objects side by side: the scored file, the error
 * report and the scores file (for `index-scores`). Any side failing ends the others: a store that
 * fails before it reads its body (a directory it cannot write, a dropped connection) destroys that
 * body, so scoring stops at its next write instead of waiting for a `drain` that never comes, and a
 * scoring error destroys every body.
 */
async function scoreIntoStore(prediction: Prediction, scorers: Scorers, keys: { outputKey: string; errorsKey: string; scoresKey: string }, deps: ScoreDeps, options: ScoreOptions, context: JobContext<Progress>): Promise<ScoreSummary> {
  const input = await deps.store.get(prediction.inputKey, { signal: context.signal });
  const output = new PassThrough();
  const errors = new PassThrough();
  const scores = new PassThrough();
  const bodies = [output, errors, scores];
  // The store may not be listening to a body yet (put() can still be awaiting a directory or a
  // connection): without a listener, destroying it with an error would be an uncaught exception.
  for (const body of bodies) body.on("error", () => {});
  const uploads = [
    deps.store.put(keys.outputKey, output, { contentType: "text/csv" }),
    deps.store.put(keys.errorsKey, errors, { contentType: "text/csv" }),
    deps.store.put(keys.scoresKey, scores, { contentType: "application/x-ndjson" }),
  ];
  const stopAll = (error: Error) => {
    for (const body of bodies) if (!body.writableFinished) body.destroy(error);
    input.destroy();
  };
  uploads.forEach((upload) => upload.catch(stopAll));
  try {
    const summary = await scoreCsv({
      input,
      output,
      errors,
      scores,
      ...scorers,
      ...(prediction.idColumn !== null ? { idColumn: prediction.idColumn } : {}),
      totalBytes: prediction.inputBytes,
      maxBadRowShare: options.maxBadRowShare,
      threads: options.threads,
      workerEntry: options.workerEntry,
      signal: context.signal,
      onProgress: (p) => context.progress({ rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, bytesRead: p.bytesRead }),
    });
    await Promise.all(uploads);
    return summary;
  } catch (error) {
    // An ended error report (too many bad rows) is left to finish; everything else stops.
    if (!errors.writableEnded) errors.destroy(error as Error);
    output.destroy(error as Error);
    scores.destroy(error as Error);
    input.destroy();
    const settled = await Promise.allSettled(uploads);
    // A store failure is the cause when scoring only saw its body close.
    const storeFailure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected" && s.reason !== error);
    throw isRetainwiseError(error) && error.code === "output.closed" && storeFailure ? storeFailure.reason : error;
  }
}
