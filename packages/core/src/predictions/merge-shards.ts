import { Readable } from "node:stream";
import { ABSOLUTE_POSITIONS } from "../csv/positions.ts";
import { kindOf, RetainwiseError, type ErrorCode } from "../errors.ts";
import type { ComposePart, ObjectStore } from "../ports/object-store.ts";
import type { PartsInOrder } from "../scoring/parallel.ts";
import { resolvedPart, shardSetup } from "../scoring/shards.ts";
import { assertFewBadRows } from "../scoring/summary.ts";
import type { Produce } from "./score-job.ts";
import type { PredictionShard, ShardResult } from "./shards.ts";
import { readInputHead } from "./split-shards.ts";

type Before = PartsInOrder["before"];

/**
 * The prediction's three objects made from its settled shards, in shard order, as one scoring of
 * the whole file would have made them: each shard's summary, drift counts and lines are absorbed
 * after the ones before it (`PartsInOrder`, as threads' parts are), so row and line positions
 * become file-wide. A part without placeholders is composed as it is stored (S3: copied inside S3,
 * no byte through this task); one with placeholders, and every error report part, is resolved as
 * it is read. The error report is written first: a file failed for too many bad rows keeps it.
 *
 * The first shard in file order that did not complete fails the prediction with its error: an
 * error in the input (an unclosed quote) reads as it would unsharded, positions file-wide; any
 * other (its attempts used up) says where in the file its part starts.
 */
export function mergeShards(shards: readonly PredictionShard[]): Produce {
  return async (prediction, scorers, keys, deps, options, context) => {
    const { signal } = context;
    const head = await readInputHead(deps.store, prediction, signal);
    const { order } = await shardSetup(head, {
      ...scorers,
      ...(prediction.idColumn !== null ? { idColumn: prediction.idColumn } : {}),
      totalBytes: prediction.inputBytes,
      onProgress: (p) =>
        context.progress({ rowsProcessed: p.rowsProcessed, rowsFailed: p.rowsFailed, bytesRead: p.bytesRead }),
    });
    const parts: { result: ShardResult; before: Before }[] = [];
    for (const shard of shards) {
      if (shard.status !== "COMPLETED" || !shard.result) throw shardFailure(shard, order);
      parts.push({ result: shard.result, before: { ...order.before } });
      order.absorb(
        {
          summary: shard.result.summary,
          lines: shard.result.lines,
          ...(shard.result.drift ? { drift: shard.result.drift } : {}),
        },
        shard.endByte - shard.startByte,
      );
    }
    const summary = order.summary.build();
    const resolved = (key: string, before: Before): ComposePart => ({
      open: async () => Readable.from(resolvedPart(await deps.store.get(key, { signal }), before)),
    });
    const stored = (key: string, bytes: number, placeholders: boolean, before: Before): ComposePart =>
      placeholders ? resolved(key, before) : { key, bytes };
    await deps.store.compose(
      keys.errorsKey,
      parts.map(({ result, before }) => resolved(result.errorsKey, before)),
      { contentType: "text/csv", signal },
    );
    assertFewBadRows(summary, options.maxBadRowShare);
    await Promise.all([
      compose(
        deps.store,
        keys.outputKey,
        parts.map(({ result, before }) =>
          stored(result.outputKey, result.outputBytes, result.outputPlaceholders, before),
        ),
        "text/csv",
        signal,
      ),
      compose(
        deps.store,
        keys.scoresKey,
        parts.map(({ result, before }) =>
          stored(result.scoresKey, result.scoresBytes, result.scoresPlaceholders, before),
        ),
        "application/x-ndjson",
        signal,
      ),
    ]);
    context.log.info("shards merged", {
      shards: shards.length,
      copied: parts.filter((p) => !p.result.outputPlaceholders).length,
    });
    return summary;
  };
}

function compose(
  store: ObjectStore,
  key: string,
  parts: ComposePart[],
  contentType: string,
  signal: AbortSignal,
): Promise<{ bytes: number }> {
  return store.compose(key, parts, { contentType, signal });
}

/**
 * Why the prediction fails on this shard. Final either way (its shard has no attempt left), so an
 * error that is not the input's fails it as `job.shard_failed` (a conflict: not retried).
 */
function shardFailure(shard: PredictionShard, order: PartsInOrder): RetainwiseError {
  const code = (shard.errorCode ?? "internal") as ErrorCode;
  const message = shard.errorMessage ?? "its scoring was stopped";
  if (shard.errorCode !== null && kindOf(code) === "input") return order.failure({ code, message });
  const { rows, bytes } = order.before;
  return new RetainwiseError(
    "job.shard_failed",
    `We could not score the part of the file that starts at row ${ABSOLUTE_POSITIONS.row(rows + 1)} (byte ${ABSOLUTE_POSITIONS.byte(bytes)}): ${message}`,
  );
}
