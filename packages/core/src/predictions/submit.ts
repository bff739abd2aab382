import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Logger } from "../log.ts";
import type { Model } from "../models/model.ts";
import type { Prediction, PredictionRepository } from "./prediction.ts";
import { submitJob, type StoredInput } from "../jobs/submit.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { ObjectStore } from "../ports/object-store.ts";

export interface ScoringDeps {
  predictions: PredictionRepository;
  store: ObjectStore;
  queue: JobQueue;
  logger: Logger;
}

/** A file to score, already checked against its models (api's column check): an upload, or a stored input scored again. */
export interface ScoringUpload {
  /** Chosen before the upload is stored, so a log line about an abandoned upload can name it. */
  id: string;
  accountId: string;
  filename: string;
  model: Pick<Model, "id">;
  challenger: Pick<Model, "id"> | null;
  idColumn?: string | undefined;
  /** Its header row, as the column check read it. */
  columns: readonly string[] | null;
  body: Readable | StoredInput;
}

/** A new prediction's id, for `submitPrediction`. */
export const newPredictionId = (): string => randomUUID();

/** Where a prediction's input is stored. */
export function predictionInputKey(predictionId: string): string {
  return `inputs/${predictionId}.csv`;
}

/** Stores the file and queues its scoring: the new QUEUED prediction. */
export function submitPrediction(deps: ScoringDeps, upload: ScoringUpload): Promise<Prediction> {
  const { id, accountId } = upload;
  const inputKey = predictionInputKey(id);
  return submitJob({
    kind: "score",
    store: deps.store,
    queue: deps.queue,
    rows: deps.predictions,
    logger: deps.logger,
    group: accountId,
    key: inputKey,
    body: upload.body,
    insert: (bytes) =>
      deps.predictions.create({
        id,
        accountId,
        inputKey,
        inputFilename: upload.filename,
        inputBytes: bytes,
        modelId: upload.model.id,
        challengerModelId: upload.challenger?.id ?? null,
        idColumn: upload.idColumn ?? null,
        inputColumns: upload.columns && [...upload.columns],
      }),
  });
}
