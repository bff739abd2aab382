import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Logger } from "../log.ts";
import type { Model, ModelRepository } from "./model.ts";
import type { Prediction } from "../predictions/prediction.ts";
import { enqueueJob, submitJob } from "../jobs/submit.ts";
import { modelPrefix } from "./train-job.ts";
import type { OutcomeRepository } from "../outcomes/outcome.ts";
import { waitForScoreCopies } from "../outcomes/score-index.ts";
import { assertEnoughToTrain, OUTCOME_LABEL } from "../outcomes/training-from-outcomes.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { ObjectStore } from "../ports/object-store.ts";

export interface TrainingDeps {
  models: ModelRepository;
  store: ObjectStore;
  queue: JobQueue;
  logger: Logger;
  /** QUEUED + TRAINING models an account may have at once (`model.too_many_trainings` past it). */
  maxConcurrentTrainings: number;
}

/** A labeled upload to train on, its label column already found in its header. */
export interface TrainingUpload {
  accountId: string;
  name: string;
  labelColumn: string;
  positiveValue: string | null;
  filename: string;
  /** The file, streamed to the store (never buffered). */
  body: Readable;
}

/** Stores a labeled training file under the model's prefix and queues its training: the new QUEUED model. */
export async function submitTraining(deps: TrainingDeps, upload: TrainingUpload): Promise<Model> {
  const { accountId } = upload;
  const id = randomUUID();
  const inputKey = `${modelPrefix({ id, accountId })}/training.csv`;
  return submitJob({
    kind: "train",
    store: deps.store,
    queue: deps.queue,
    rows: deps.models,
    logger: deps.logger,
    group: accountId,
    key: inputKey,
    body: upload.body,
    insert: (bytes) =>
      deps.models.create(
        {
          id,
          accountId,
          name: upload.name,
          labelColumn: upload.labelColumn,
          positiveValue: upload.positiveValue,
          inputKey,
          inputFilename: upload.filename,
          inputBytes: bytes,
        },
        { maxInProgress: deps.maxConcurrentTrainings },
      ),
  });
}

/**
 * Queues a model trained on what happened to a COMPLETED prediction's customers: its input rows
 * joined with their outcomes (label `churned`). Refused before anything is queued when too few of
 * them have an outcome; the worker builds the training file (models/train-job.ts), nothing is
 * copied here.
 */
export async function trainFromPrediction(
  deps: TrainingDeps & { outcomes: OutcomeRepository },
  prediction: Prediction,
  name: string,
): Promise<Model> {
  const { accountId } = prediction;
  await waitForScoreCopies(deps.outcomes, accountId, [prediction.id]);
  assertEnoughToTrain(await deps.outcomes.labelsFor(accountId, prediction.id));
  const id = randomUUID();
  const created = await deps.models.create(
    {
      id,
      accountId,
      name,
      labelColumn: OUTCOME_LABEL,
      positiveValue: "yes",
      inputKey: null,
      sourcePredictionId: prediction.id,
      inputFilename: `outcomes-of-${prediction.inputFilename}`,
      inputBytes: 0,
    },
    { maxInProgress: deps.maxConcurrentTrainings },
  );
  await enqueueJob("train", id, { queue: deps.queue, rows: deps.models, logger: deps.logger, group: accountId });
  return created;
}
