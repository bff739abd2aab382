import { cutRecords, sequentialBytes } from "../csv/file-ranges.ts";
import { readHead, type Head } from "../csv/reader.ts";
import { SNIFF_BYTES } from "../csv/sniff.ts";
import type { ChurnModel } from "../model/churn-model.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { ModelSource } from "../ports/model-source.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { partsPlan } from "../scoring/parallel.ts";
import type { Claim, Prediction, Progress } from "./prediction.ts";
import type { JobContext } from "../jobs/run-job.ts";
import type { ShardRepository } from "./shards.ts";
import { enqueueJob } from "../jobs/submit.ts";

/** When and how a prediction is split (settings `shardMinBytes`, `shardBytes`). */
export interface Sharding {
  /** Inputs of at least this many bytes are split (default 256 MiB). */
  minBytes: number;
  /** About this many bytes of records a shard (default 64 MiB). */
  shardBytes: number;
}

/**
 * At most this many shards a prediction: a multipart upload takes 10,000 parts, and each shard is
 * a database row and a message. A 5 GiB upload at the default 64 MiB is 80.
 */
export const MAX_SHARDS = 1000;

export interface SplitDeps {
  store: ObjectStore;
  queue: JobQueue;
  models: ModelSource;
  shards: ShardRepository;
}

/** The stored input's head, as every shard and the merge read it: its first SNIFF_BYTES. */
export async function readInputHead(store: ObjectStore, prediction: Prediction, signal: AbortSignal): Promise<Head> {
  return readHead(
    await store.get(prediction.inputKey, {
      signal,
      range: { start: 0, end: Math.min(prediction.inputBytes, SNIFF_BYTES) },
    }),
  );
}

/**
 * Splits the claimed prediction's input into shards of whole records and sends their messages: the
 * input is read once, front to back, for where records end (quote-aware, csv/file-ranges.ts), and
 * the shards (with the actionable columns read now, so every shard writes the same advice) are
 * recorded as the prediction goes SHARDED, in one transaction. True once split (the prediction's
 * message is done: its shards' own carry it on), false when the claim was lost meanwhile, undefined
 * when the file is better scored whole (no header record in its head, too few records, an unclosed
 * quote): the caller then scores it whole, which reports what is wrong with it.
 */
export async function splitIntoShards(
  { job: prediction, attempt }: Claim,
  context: JobContext<Progress>,
  deps: SplitDeps,
  sharding: Sharding,
  actionableOf: (model: ChurnModel) => Promise<string[]>,
): Promise<boolean | undefined> {
  const { signal } = context;
  const plan = partsPlan(await readInputHead(deps.store, prediction, signal));
  if (!plan) return undefined;
  const count = Math.min(MAX_SHARDS, Math.ceil((prediction.inputBytes - plan.headerEnd) / sharding.shardBytes));
  if (count < 2) return undefined;
  const input = sequentialBytes(prediction.inputBytes, (start) =>
    deps.store.get(prediction.inputKey, { signal, range: { start, end: prediction.inputBytes } }),
  );
  let cuts: number[] | undefined;
  try {
    cuts = await cutRecords(
      input,
      plan.headerEnd,
      Array.from({ length: count }, () => 1 / count),
      plan.delimiter,
    );
  } finally {
    input.close();
  }
  if (!cuts || cuts.length < 3) return undefined;
  const lease = await deps.models.acquire({ accountId: prediction.accountId, modelId: prediction.modelId });
  let actionable: string[];
  try {
    actionable = await actionableOf(lease.model);
  } finally {
    lease.release();
  }
  const shards = cuts.slice(1).map((endByte, index) => ({ index, startByte: cuts![index]!, endByte }));
  const ids = await deps.shards.split(prediction.id, attempt, shards, actionable);
  if (!ids) return false;
  context.log.info("prediction split into shards", { attempt, shards: ids.length, bytes: prediction.inputBytes });
  // A send that fails leaves the shard unsent: the relay sends it.
  for (const id of ids)
    await enqueueJob("score-shard", id, {
      queue: deps.queue,
      rows: deps.shards,
      logger: context.log,
      group: prediction.accountId,
    });
  return true;
}
