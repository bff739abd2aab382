import { createWriteStream } from "node:fs";
import { withTempDir } from "../temp-dir.ts";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RetainwiseError } from "../errors.ts";
import type { OutcomeRepository } from "../outcomes/outcome.ts";
import { assertEnoughToTrain, labeledTrainingRows } from "../outcomes/training-from-outcomes.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { trainInThread, type TrainingStep } from "../training/training-thread.ts";
import type { JobClaim } from "../jobs/job-rows.ts";
import {
  MODEL_FINISHED_STATUSES,
  modelMetrics,
  type Model,
  type ModelRepository,
  type TrainingProgress,
} from "./model.ts";
import type { PredictionRepository } from "../predictions/prediction.ts";
import type { JobSpec } from "../jobs/registry.ts";
import type { JobContext } from "../jobs/run-job.ts";

export interface TrainDeps {
  models: ModelRepository;
  store: ObjectStore;
  /** Training from a prediction's outcomes reads the prediction and its customers' labels. */
  predictions: Pick<PredictionRepository, "getById">;
  outcomes: Pick<OutcomeRepository, "labelsFor">;
}

export interface TrainOptions {
  /** The program file a training thread starts from; it must call `serveTrainingThread()`. */
  workerEntry: string | URL;
  /** A model trained on more rows fails with a message saying so. */
  maxTrainingRows: number;
  /** A model trained on more rows x columns fails with a message saying so, before its file is held whole (memory). */
  maxTrainingCells?: number;
  /** The trainer's seed: the same file trains the same model. */
  seed?: number;
}

/** Where a model's files live: under its account's prefix, one folder per attempt so a stale attempt never overwrites a newer one. */
export function modelKeys(
  model: Pick<Model, "id" | "accountId">,
  attempt: number,
): { onnxKey: string; cardKey: string } {
  const dir = `${modelPrefix(model)}/attempt-${attempt}`;
  return { onnxKey: `${dir}/model.onnx`, cardKey: `${dir}/card.json` };
}

/** `accounts/<account>/models/<id>`: the training file and every attempt's output. */
export function modelPrefix(model: Pick<Model, "id" | "accountId">): string {
  return `accounts/${model.accountId}/models/${model.id}`;
}

/** The training job: the account's labeled CSV, or one built from a prediction's outcomes -> trainer (on a thread) -> ONNX + card in the store -> READY. */
export function trainJob(deps: TrainDeps, options: TrainOptions): JobSpec<Model, TrainingProgress> {
  return {
    kind: "train",
    rows: deps.models,
    finished: MODEL_FINISHED_STATUSES,
    work: {
      initialProgress: { phase: "starting", percent: 0 },
      run: (claim, context) => trainModel(claim, context, deps, options),
    },
  };
}

async function trainModel(
  { job: model, attempt }: JobClaim<Model>,
  context: JobContext<TrainingProgress>,
  deps: TrainDeps,
  options: TrainOptions,
): Promise<boolean> {
  const keys = modelKeys(model, attempt);
  return withTempDir("rw-train", async (dir) => {
    try {
      context.progress({ phase: "reading training file", percent: 1 });
      const path = join(dir, "training.csv");
      const built = await writeTrainingFile(model, path, deps, context.signal);
      const progress = trainingProgress(context);
      const trained = await trainInThread(
        options.workerEntry,
        {
          path,
          label: model.labelColumn,
          positive: model.positiveValue ?? undefined,
          name: model.name,
          version: `v${model.version}`,
          maxRows: options.maxTrainingRows,
          ...(options.maxTrainingCells !== undefined ? { maxCells: options.maxTrainingCells } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
        },
        { signal: context.signal, onStep: progress },
      );
      context.progress({ phase: "saving model", percent: 99 });
      await deps.store.put(keys.onnxKey, Readable.from([Buffer.from(trained.onnx)]), {
        contentType: "application/octet-stream",
      });
      await deps.store.put(keys.cardKey, Readable.from([JSON.stringify(trained.card, null, 2)]), {
        contentType: "application/json",
      });
      const completed = await deps.models.complete(model.id, attempt, {
        ...keys,
        card: trained.card,
        metrics: modelMetrics(trained.card, {
          positive: trained.positives,
          negative: trained.rows - trained.positives,
        }),
        rows: trained.rows,
        ...built,
      });
      if (!completed) await deleteKeys(deps.store, keys);
      context.log.info("model trained", { attempt, rows: trained.rows, auc: trained.card.metrics?.heldOut.auc });
      return completed;
    } catch (error) {
      await deleteKeys(deps.store, keys);
      throw error;
    }
  });
}

/**
 * Puts the model's training file at `path`: the upload, copied from the store, or for a model
 * trained from a prediction's outcomes the prediction's input rows joined with the labels known now
 * (built here, not in the API request, so a large input never passes through the API). Returns the
 * size of a built file, which the completion records as the model's input size.
 */
async function writeTrainingFile(
  model: Model,
  path: string,
  deps: TrainDeps,
  signal: AbortSignal,
): Promise<{ inputBytes?: number }> {
  if (model.inputKey) {
    await pipeline(await deps.store.get(model.inputKey, { signal }), createWriteStream(path), { signal });
    return {};
  }
  const prediction = model.sourcePredictionId ? await deps.predictions.getById(model.sourcePredictionId) : null;
  if (!prediction || prediction.accountId !== model.accountId) {
    throw new RetainwiseError(
      "prediction.not_found",
      "The prediction this model was to be trained from was deleted before training started. Train from another one (POST /v1/models?fromPrediction=ID).",
    );
  }
  const labels = await deps.outcomes.labelsFor(prediction.accountId, prediction.id);
  assertEnoughToTrain(labels);
  const file = createWriteStream(path);
  await pipeline(
    Readable.from(labeledTrainingRows(await deps.store.get(prediction.inputKey, { signal }), labels)),
    file,
    { signal },
  );
  return { inputBytes: file.bytesWritten };
}

/**
 * The fit reports its own percent at every whole percent (and each bag of each stage): mapped onto
 * 10–95, so the job's progress keeps moving for the no-progress watchdog however long the fit
 * lasts. Other steps move a fifth of the way to 95.
 */
export function trainingProgress(
  context: Pick<JobContext<TrainingProgress>, "progress">,
): (step: TrainingStep) => void {
  let percent = 5;
  return ({ step, fields }) => {
    const fit =
      step === "fit" && typeof fields.percent === "number" ? 10 + Math.floor(0.85 * fields.percent) : undefined;
    percent = step === "read training file" ? 10 : Math.max(percent, fit ?? Math.round(percent + (95 - percent) * 0.2));
    context.progress({ phase: step, percent });
  };
}

async function deleteKeys(store: ObjectStore, keys: { onnxKey: string; cardKey: string }): Promise<void> {
  await Promise.all([store.delete(keys.onnxKey), store.delete(keys.cardKey)]).catch(() => {});
}
