import { isRetainwiseError } from "../errors.ts";
import { driftCounterFor, driftReport } from "../outcomes/drift.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { ModelLease, ModelSource } from "../ports/model-source.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { scoreCsv, type ScoreCsvOptions } from "../scoring/score-csv.ts";
import type { ScoreSummary } from "../scoring/summary-types.ts";
import { isTermTablesCard } from "../model/card.ts";
import type { ChurnModel } from "../model/churn-model.ts";
import { BUILTIN_MODEL_ID, type ModelRepository } from "../models/model.ts";
import { enqueueJob } from "../jobs/submit.ts";
import { scoreIntoStore, type ResultKeys } from "./score-into-store.ts";
import {
  errorReportKeyFor,
  outputKeyFor,
  scoresKeyFor,
  TERMINAL_STATUSES,
  type Claim,
  type Prediction,
  type PredictionRepository,
  type Progress,
} from "./prediction.ts";
import type { JobRow, JobRows } from "../jobs/job-rows.ts";
import type { JobSpec } from "../jobs/registry.ts";
import type { JobContext } from "../jobs/run-job.ts";
import { mergeShards } from "./merge-shards.ts";
import type { PredictionShard, ShardRepository } from "./shards.ts";
import { splitIntoShards, type Sharding } from "./split-shards.ts";

export interface ScoreDeps {
  predictions: PredictionRepository;
  store: ObjectStore;
  /** Where the completion's `index-scores` job is sent, and its row marked sent. */
  queue: JobQueue;
  scoreIndexes: Pick<JobRows<JobRow, unknown>, "markEnqueued">;
  models: ModelSource;
  /** The account's settings of the model (its actionable columns for `retention_action`); absent: none. */
  settings?: Pick<ModelRepository, "settings">;
  /** Where a large input's shards are recorded (predictions/shards.ts); absent: every input is scored whole. */
  shards?: ShardRepository;
}

export interface ScoreOptions {
  maxBadRowShare: number;
  /** Threads for one large job, and the program file they start from (see `scoreCsv`). */
  threads?: number;
  workerEntry?: string;
  /** Inputs of at least `minBytes` are split into shards of about `shardBytes` (needs `ScoreDeps.shards`). */
  sharding?: Sharding;
}

/** The scoring job: the uploaded CSV -> the model the prediction names -> the scored CSV in the store -> COMPLETED. */
export function scoreJob(deps: ScoreDeps, options: ScoreOptions): JobSpec<Prediction, Progress> {
  return {
    kind: "score",
    rows: deps.predictions,
    work: {
      initialProgress: { rowsProcessed: 0, rowsFailed: 0, bytesRead: 0 },
      run: (claim, context) => runScoring(claim, context, deps, options),
    },
    // A SHARDED prediction runs again only once its shards are settled, on a message sent then: an
    // older message for it (a duplicate) is dropped, not left to dead-letter.
    finished: [...TERMINAL_STATUSES, "SHARDED"],
  };
}

/**
 * A claimed prediction: merged if its shards are settled (it was split before), else split into
 * shards if it is large enough and can be, else scored whole.
 */
async function runScoring(
  claim: Claim,
  context: JobContext<Progress>,
  deps: ScoreDeps,
  options: ScoreOptions,
): Promise<boolean> {
  const shards = deps.shards ? await deps.shards.listFor(claim.job.id) : [];
  if (shards.length > 0) return mergePrediction(claim, shards, context, deps, options);
  if (deps.shards && options.sharding && claim.job.inputBytes >= options.sharding.minBytes) {
    const split = await splitIntoShards(claim, context, { ...deps, shards: deps.shards }, options.sharding, (model) =>
      actionableOf(claim.job, model, deps),
    );
    if (split !== undefined) return split;
  }
  return scorePrediction(claim, context, deps, options, scoreWhole);
}

/** The merge of a split prediction, which then drops its shards' parts; they stay while it may be retried. */
async function mergePrediction(
  claim: Claim,
  shards: PredictionShard[],
  context: JobContext<Progress>,
  deps: ScoreDeps,
  options: ScoreOptions,
): Promise<boolean> {
  const sweep = () =>
    deps.store
      .deletePrefix(shardsPrefix(claim.job.id))
      .catch((error: unknown) => context.log.warn("shard parts not deleted", { error }));
  try {
    const done = await scorePrediction(claim, context, deps, options, mergeShards(shards));
    if (done) await sweep();
    return done;
  } catch (error) {
    if (isRetainwiseError(error) && error.permanent) await sweep();
    throw error;
  }
}

/** How a prediction's three objects are made: by scoring its input, or by merging its shards' parts. */
export type Produce = (
  prediction: Prediction,
  scorers: Scorers,
  keys: ResultKeys,
  deps: ScoreDeps,
  options: ScoreOptions,
  context: JobContext<Progress>,
) => Promise<ScoreSummary>;

async function scorePrediction(
  { job: prediction, attempt }: Claim,
  context: JobContext<Progress>,
  deps: ScoreDeps,
  options: ScoreOptions,
  produce: Produce,
): Promise<boolean> {
  const keys = {
    outputKey: outputKeyFor(prediction.id, attempt),
    errorsKey: errorReportKeyFor(prediction.id, attempt),
    scoresKey: scoresKeyFor(prediction.id, attempt),
  };
  const discard = (...names: (keyof typeof keys)[]) =>
    Promise.all(names.map((name) => deps.store.delete(keys[name]).catch(() => {})));
  const lease = await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.modelId });
  let challenger: ModelLease | undefined;
  try {
    challenger = prediction.challengerModelId
      ? await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.challengerModelId })
      : undefined;
    // Counted while scoring (no second pass), measured against the card's training shares at the end.
    const drift = driftCounterFor(lease.model.card);
    const actionable = await actionableOf(prediction, lease.model, deps);
    const summary = await produce(
      prediction,
      { model: lease.model, challenger: challenger?.model, drift, ...(actionable.length > 0 ? { actionable } : {}) },
      keys,
      deps,
      options,
      context,
    );
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
    await enqueueJob("index-scores", prediction.id, {
      queue: deps.queue,
      rows: deps.scoreIndexes,
      logger: context.log,
      group: prediction.accountId,
    });
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
export type Scorers = Pick<ScoreCsvOptions, "model" | "challenger" | "drift" | "actionable">;

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

/** Where a prediction's shards write their parts (`shardKeysFor`). */
export function shardsPrefix(predictionId: string): string {
  return `results/${predictionId}/shards/`;
}

/** Streams the input through the model into the prediction's three objects (`scoreIntoStore`). */
async function scoreWhole(
  prediction: Prediction,
  scorers: Scorers,
  keys: ResultKeys,
  deps: ScoreDeps,
  options: ScoreOptions,
  context: JobContext<Progress>,
): Promise<ScoreSummary> {
  const input = await deps.store.get(prediction.inputKey, { signal: context.signal });
  return scoreIntoStore(deps.store, keys, input, ({ output, errors, scores }) =>
    scoreCsv({
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
      onProgress: (p) =>
        context.progress({ rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, bytesRead: p.bytesRead }),
    }),
  );
}
