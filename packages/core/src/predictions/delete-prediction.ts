import { TERMINAL_STATUSES, type Prediction, type PredictionRepository } from "./prediction.ts";
import type { ObjectStore } from "../ports/object-store.ts";

/**
 * Cancels the prediction if it is still queued or running (its shards with it), deletes every file
 * it has or may have had (its input, and everything under `results/<id>/`: each attempt's result,
 * scores and error report, its shards' parts, and on S3 a merge's multipart upload cut short) and
 * then its row (a worker still on it loses its claim). Resolves the prediction as it
 * ended: CANCELED if it had not finished.
 */
export async function deletePrediction(
  deps: {
    predictions: Pick<PredictionRepository, "cancel" | "remove">;
    store: Pick<ObjectStore, "delete" | "deletePrefix">;
  },
  accountId: string,
  prediction: Prediction,
): Promise<Prediction> {
  const after = TERMINAL_STATUSES.includes(prediction.status)
    ? prediction
    : ((await deps.predictions.cancel(accountId, prediction.id)) ?? prediction);
  const keys = [prediction.inputKey, after.outputKey].filter((k): k is string => !!k);
  await Promise.all([
    ...keys.map((key) => deps.store.delete(key)),
    deps.store.deletePrefix(`results/${prediction.id}/`),
  ]);
  await deps.predictions.remove(accountId, prediction.id);
  return after;
}
