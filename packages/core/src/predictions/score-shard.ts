import { driftCounterFor } from "../outcomes/drift.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { ModelLease, ModelSource } from "../ports/model-source.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { scoreShard } from "../scoring/shards.ts";
import type { JobClaim } from "../jobs/job-rows.ts";
import type { Logger } from "../log.ts";
import { TERMINAL_STATUSES, type PredictionRepository, type Progress } from "./prediction.ts";
import type { JobSpec } from "../jobs/registry.ts";
import type { JobContext } from "../jobs/run-job.ts";
import { discardObjects, scoreIntoStore } from "./score-into-store.ts";
import { shardKeysFor, type PredictionShard, type ShardRepository, type ShardSettled } from "./shards.ts";
import { readInputHead } from "./split-shards.ts";
import { enqueueJob } from "../jobs/submit.ts";

export interface ShardDeps {
  shards: ShardRepository;
  predictions: Pick<PredictionRepository, "getById" | "markEnqueued">;
  store: ObjectStore;
  queue: JobQueue;
  models: ModelSource;
  logger: Logger;
}

/**
 * The `score-shard` kind: one shard's bytes (a ranged read of the stored input) -> its part of the
 * result, written under its own attempt's keys -> COMPLETED with its counts. A retried shard
 * replaces only its own part: the merge reads the keys its completion recorded. The write that
 * settles the last shard queues the prediction's merge; its message is sent here (or, if that
 * fails, by the relay).
 */
export function scoreShardJob(deps: ShardDeps): JobSpec<PredictionShard, Progress> {
  return {
    kind: "score-shard",
    rows: {
      ...deps.shards,
      fail: async (id, attempt, error) => settled(await deps.shards.failShard(id, attempt, error), deps, deps.logger),
    },
    finished: TERMINAL_STATUSES,
    work: {
      initialProgress: { rowsProcessed: 0, rowsFailed: 0, bytesRead: 0 },
      run: (claim, context) => runShard(claim, context, deps),
    },
  };
}

async function runShard(
  { job: shard, attempt }: JobClaim<PredictionShard>,
  context: JobContext<Progress>,
  deps: ShardDeps,
): Promise<boolean> {
  const prediction = await deps.predictions.getById(shard.predictionId);
  // Canceled or deleted meanwhile: its cancel settled this shard too, so the claim below it is already lost.
  if (prediction?.status !== "SHARDED") return false;
  const keys = shardKeysFor(prediction.id, shard.index, attempt);
  // What an earlier attempt of this shard wrote before it died is never merged: drop it.
  const earlier = Array.from({ length: attempt - 1 }, (_, i) =>
    Object.values(shardKeysFor(prediction.id, shard.index, i + 1)),
  ).flat();
  await discardObjects(deps.store, earlier);
  const lease = await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.modelId });
  let challenger: ModelLease | undefined;
  try {
    challenger = prediction.challengerModelId
      ? await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.challengerModelId })
      : undefined;
    const { signal } = context;
    const head = await readInputHead(deps.store, prediction, signal);
    const input = await deps.store.get(prediction.inputKey, {
      signal,
      range: { start: shard.startByte, end: shard.endByte },
    });
    const drift = driftCounterFor(lease.model.card);
    const scored = await scoreIntoStore(deps.store, keys, input, (bodies) =>
      scoreShard({
        head,
        records: input,
        first: shard.index === 0,
        ...bodies,
        model: lease.model,
        challenger: challenger?.model,
        ...(drift ? { drift } : {}),
        ...(shard.actionable.length > 0 ? { actionable: shard.actionable } : {}),
        ...(prediction.idColumn !== null ? { idColumn: prediction.idColumn } : {}),
        signal,
        onProgress: (p) =>
          context.progress({ rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, bytesRead: p.bytesRead }),
      }),
    );
    const sizes = await Promise.all([deps.store.head(keys.outputKey), deps.store.head(keys.scoresKey)]);
    const result = await deps.shards.complete(shard.id, attempt, {
      ...keys,
      outputBytes: sizes[0]?.bytes ?? 0,
      scoresBytes: sizes[1]?.bytes ?? 0,
      outputPlaceholders: scored.outputPlaceholders,
      scoresPlaceholders: scored.scoresPlaceholders,
      summary: scored.summary,
      lines: scored.lines,
      drift: scored.drift ?? null,
    });
    if (!result.settled) {
      await discardObjects(deps.store, Object.values(keys));
      return false;
    }
    context.log.info("shard scored", {
      attempt,
      index: shard.index,
      rows: scored.summary.rowsScored + scored.summary.rowsFailed,
    });
    await settled(result, deps, context.log);
    return true;
  } catch (error) {
    await discardObjects(deps.store, Object.values(keys));
    throw error;
  } finally {
    lease.release();
    challenger?.release();
  }
}

/** Sends the merge's message when this settling queued the prediction. */
async function settled(result: ShardSettled, deps: ShardDeps, log: Logger): Promise<boolean> {
  if (result.predictionQueued && result.predictionId)
    await enqueueJob("score", result.predictionId, { queue: deps.queue, rows: deps.predictions, logger: log });
  return result.settled;
}
