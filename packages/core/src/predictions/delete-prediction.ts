import { errorReportKeyFor, outputKeyFor, scoresKeyFor, TERMINAL_STATUSES, type Prediction, type PredictionRepository } from "../jobs/prediction.ts";
import type { ObjectStore } from "../ports/object-store.ts";

/**
 * Cancels the prediction if it is still queued or running, deletes every file it has or may have
 * had (each attempt's result, scores and error report: a store also drops what an interrupted write
 * left) and then its row (a worker still on it loses its claim). Resolves the prediction as it
 * ended: CANCELED if it had not finished.
 */
export async function deletePrediction(deps: { predictions: Pick<PredictionRepository, "cancel" | "remove">; store: Pick<ObjectStore, "delete"> }, accountId: string, prediction: Prediction): Promise<Prediction> {
  const after = TERMINAL_STATUSES.includes(prediction.status) ? prediction : ((await deps.predictions.cancel(accountId, prediction.id)) ?? prediction);
  const attempts = Array.from({ length: after.attempts }, (_, i) => [outputKeyFor(prediction.id, i + 1), errorReportKeyFor(prediction.id, i + 1), scoresKeyFor(prediction.id, i + 1)]).flat();
  await Promise.all([prediction.inputKey, after.outputKey, ...attempts].filter((k): k is string => !!k).map((key) => deps.store.delete(key)));
  await deps.predictions.remove(accountId, prediction.id);
  return after;
}
